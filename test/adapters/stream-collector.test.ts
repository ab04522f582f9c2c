/** The SDK's response bodies collected from Node streams, never through the web stream globals. */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectNodeStream } from '../../functions/adapters/aws/stream-collector.ts';

describe('collectNodeStream', () => {
  it('collects every chunk, in order, as bytes', async () => {
    const body = Readable.from([Buffer.from('{"Item":'), Buffer.from('{"pk":{"S":"LINK#é"}}'), Buffer.from('}')]);
    const bytes = await collectNodeStream(body);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes).toString('utf8')).toBe('{"Item":{"pk":{"S":"LINK#é"}}}');
  });

  it('collects an empty body as no bytes', async () => {
    await expect(collectNodeStream(Readable.from([]))).resolves.toHaveLength(0);
  });

  it('fails with the stream when it breaks off', async () => {
    const body = new PassThrough();
    const collected = collectNodeStream(body);
    body.write('{"Ite');
    body.destroy(new Error('socket hang up'));
    await expect(collected).rejects.toThrow('socket hang up');
  });
});
