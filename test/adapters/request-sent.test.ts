/**
 * Whether a failed request had gone out (TransportError.sent): what tells v2 a definite failure (nothing reached the
 * device cloud, a resend may act) from an ambiguous one (it may have acted, and no resend will).
 */
import { describe, expect, it } from 'vitest';
import { requestText, TransportError } from '../../functions/adapters/http/request.ts';
import { closedPortUrl, startScriptedServer } from '../support/scripted-server.ts';

const post = (url: string, timeoutMs = 300) => requestText(url, { method: 'POST', body: '{"property":"switch","name":"on"}', timeoutMs });

describe('TransportError.sent', () => {
  it('is false for a connection refused: the request never left', async () => {
    const error = await post(await closedPortUrl()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ timedOut: false, sent: false });
  });

  it('is true for a request that went out whole and got no answer in time, or a connection dropped after it', async () => {
    const server = await startScriptedServer(() => 'hang');
    try {
      await expect(post(server.url)).rejects.toMatchObject({ timedOut: true, sent: true });
      server.script = () => 'reset';
      await expect(post(server.url)).rejects.toMatchObject({ timedOut: false, sent: true });
      expect(server.requests.map((r) => r.body)).toEqual(Array(2).fill('{"property":"switch","name":"on"}'));
    } finally {
      await server.close();
    }
  });
});
