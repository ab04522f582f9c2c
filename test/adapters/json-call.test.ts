/**
 * The driver's signed JSON calls (functions/adapters/aws/json-call.ts): signed with the SDK's signer, checked here
 * with a second implementation (the stand-ins' `aws4`), as the service would check them, with and without the
 * session token every Lambda's credentials carry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsJsonCall } from '../../functions/adapters/aws/json-call.ts';
import { CREDENTIALS, signedFor } from '../../lib/stand-ins/sigv4.ts';
import { type ScriptedServer, type SeenRequest, startScriptedServer } from '../support/scripted-server.ts';

let kms: ScriptedServer;
beforeAll(async () => {
  kms = await startScriptedServer(() => ({ json: { Plaintext: 'AAAA' }, contentType: 'application/x-amz-json-1.1' }));
});
afterEach(() => {
  vi.unstubAllEnvs();
  kms.requests.length = 0;
});
afterAll(() => kms.close());

/** The request as the stand-ins' checker takes it. */
const asSent = (request: SeenRequest) => ({ headers: request.headers, url: request.path, method: request.method });

const KMS = { name: 'kms', envName: 'KMS', targetPrefix: 'TrentService', label: 'KMS' };

describe('awsJsonCall', () => {
  it.each([
    ['with the session token Lambda gives', 'a-session-token'],
    ['with long-term keys', undefined],
  ])('signs the call %s, as the service checks it', async (_, token) => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_SESSION_TOKEN', token);
    await expect(awsJsonCall(KMS, 'Decrypt', { CiphertextBlob: 'AAAA' }, { timeoutMs: 2000, endpoint: `${kms.url}/` })).resolves.toEqual({
      Plaintext: 'AAAA',
    });
    const [call] = kms.requests;
    expect(call!.headers['x-amz-target']).toBe('TrentService.Decrypt');
    expect(call!.headers['x-amz-security-token']).toBe(token);
    expect(call!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-1\/kms\/aws4_request, /);
    expect(signedFor('kms', asSent(call!), call!.body)).toBe(true);
    // A body changed on the way no longer matches its signature.
    expect(signedFor('kms', asSent(call!), call!.body.replace('AAAA', 'AAAB'))).toBe(false);
  });

  it('signs with the credentials it is given instead of the environment', async () => {
    const credentials = { accessKeyId: 'other', secretAccessKey: 'other' };
    await awsJsonCall(KMS, 'Decrypt', {}, { timeoutMs: 2000, endpoint: `${kms.url}/`, credentials });
    const [call] = kms.requests;
    expect(call!.headers.authorization).toMatch(/Credential=other\//);
    expect(signedFor('kms', asSent(call!), call!.body)).toBe(false);
  });
});
