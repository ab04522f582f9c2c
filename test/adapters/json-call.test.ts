/**
 * The driver's signed JSON calls (functions/adapters/aws/json-call.ts): signed with the SDK's signer, checked here
 * with a second implementation (the stand-ins' `aws4`), as the service would check them, with and without the
 * session token every Lambda's credentials carry.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsJsonCall } from '../../functions/adapters/aws/json-call.ts';
import { CREDENTIALS, signedFor } from '../../lib/stand-ins/sigv4.ts';

const received: { headers: IncomingHttpHeaders; url?: string; method?: string; body: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, url: req.url, method: req.method, body: Buffer.concat(chunks).toString() });
    res.setHeader('content-type', 'application/x-amz-json-1.1').end('{"Plaintext":"AAAA"}');
  });
});
let endpoint = '';
const saved = { ...process.env };

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterEach(() => {
  process.env = { ...saved };
  received.length = 0;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const KMS = { name: 'kms', envName: 'KMS', targetPrefix: 'TrentService', label: 'KMS' };

describe('awsJsonCall', () => {
  it.each([
    ['with the session token Lambda gives', 'a-session-token'],
    ['with long-term keys', undefined],
  ])('signs the call %s, as the service checks it', async (_, token) => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'eu-west-1',
    });
    if (token) process.env['AWS_SESSION_TOKEN'] = token;
    else delete process.env['AWS_SESSION_TOKEN'];
    await expect(awsJsonCall(KMS, 'Decrypt', { CiphertextBlob: 'AAAA' }, { timeoutMs: 2000, endpoint })).resolves.toEqual({
      Plaintext: 'AAAA',
    });
    const [call] = received;
    expect(call!.headers['x-amz-target']).toBe('TrentService.Decrypt');
    expect(call!.headers['x-amz-security-token']).toBe(token);
    expect(call!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/kms\/aws4_request, /);
    expect(signedFor('kms', call!, call!.body)).toBe(true);
    // A body changed on the way no longer matches its signature.
    expect(signedFor('kms', call!, call!.body.replace('AAAA', 'AAAB'))).toBe(false);
  });

  it('signs with the credentials it is given instead of the environment', async () => {
    await awsJsonCall(KMS, 'Decrypt', {}, { timeoutMs: 2000, endpoint, credentials: { accessKeyId: 'other', secretAccessKey: 'other' } });
    const [call] = received;
    expect(call!.headers.authorization).toMatch(/Credential=other\//);
    expect(signedFor('kms', call!, call!.body)).toBe(false);
  });
});
