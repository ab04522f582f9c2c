/**
 * Secrets from Secrets Manager, against a scripted one on loopback (AWS_ENDPOINT_URL_SECRETS_MANAGER, as
 * for the SDK's clients): the call, its SigV4 signature, the cache, and each failure.
 */
import aws4 from 'aws4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { preload, secretJson, secretString } from '../../functions/adapters/secrets/secrets.ts';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

let secretsManager: ScriptedServer;
const values: Record<string, string> = {
  'oauth-client-secret': 's3cret',
  'usercenter-credentials': '{"sysId":"sys-1","clientId":"client-1"}',
  empty: '',
  'not-json': 'sys-1',
  rotating: 'first',
};
/** Secrets the scripted service fails on: with a status, or by the service's error. */
const failing: Record<string, number> = {};
beforeAll(async () => {
  secretsManager = await startScriptedServer((request) => {
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    if (failing[SecretId]) return { status: failing[SecretId], json: { message: 'Internal failure' } };
    if (!(SecretId in values)) {
      return { status: 400, json: { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." } };
    }
    return { json: { ARN: `arn:aws:secretsmanager:local:0:secret:${SecretId}`, Name: SecretId, SecretString: values[SecretId] } };
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
});
afterAll(() => secretsManager.close());
afterEach(() => vi.useRealTimers());
const callsFor = (secretId: string) => secretsManager.requests.filter((r) => JSON.parse(r.body).SecretId === secretId);

describe('secrets from Secrets Manager', () => {
  it('reads a string secret once and serves it from the cache afterwards', async () => {
    const read = secretString('oauth-client-secret');
    await expect(read()).resolves.toBe('s3cret');
    await expect(read()).resolves.toBe('s3cret');
    const calls = secretsManager.requests.filter((r) => r.body.includes('oauth-client-secret'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
  });

  it('signs the call with SigV4 for secretsmanager, as the service checks it', async () => {
    await secretString('oauth-client-secret')();
    const [call] = callsFor('oauth-client-secret');
    const url = new URL(secretsManager.url);
    const expected = aws4.sign(
      {
        host: url.host,
        path: '/',
        method: 'POST',
        service: 'secretsmanager',
        region: 'local',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'secretsmanager.GetSecretValue',
          'x-amz-date': String(call!.headers['x-amz-date']),
        },
        body: call!.body,
      },
      { accessKeyId: 'local', secretAccessKey: 'local' },
    );
    expect(call!.headers['authorization']).toBe(expected.headers!['Authorization']);
  });

  it('reads a secret again after five minutes, so a rotation takes effect', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const read = secretString('rotating');
    await expect(read()).resolves.toBe('first');
    values['rotating'] = 'second';
    vi.setSystemTime(Date.now() + 299_000);
    await expect(read()).resolves.toBe('first');
    vi.setSystemTime(Date.now() + 2_000);
    await expect(read()).resolves.toBe('second');
    expect(callsFor('rotating')).toHaveLength(2);
  });

  it('keeps no failed read: after an outage the next request reads the secret again', async () => {
    values['flaky'] = 'v';
    failing['flaky'] = 503;
    await expect(secretString('flaky')()).rejects.toMatchObject({ message: 'Secrets Manager GetSecretValue failed: Internal failure' });
    expect(callsFor('flaky')).toHaveLength(2); // a 5xx is tried once more
    delete failing['flaky'];
    await expect(secretString('flaky')()).resolves.toBe('v');
  });

  it('preloads secrets once: the read that follows is served by the same call', async () => {
    values['preloaded'] = 'p';
    preload(['preloaded', undefined]);
    await expect(secretString('preloaded')()).resolves.toBe('p');
    expect(callsFor('preloaded')).toHaveLength(1);
  });

  it('leaves a failed preload to the read that follows, which reads again', async () => {
    values['preload-outage'] = 'q';
    failing['preload-outage'] = 500;
    preload(['preload-outage']);
    await vi.waitFor(() => expect(callsFor('preload-outage')).toHaveLength(2));
    delete failing['preload-outage'];
    // Until the failed preload has settled, a read meets its failure; then it reads anew.
    await vi.waitFor(() => expect(secretString('preload-outage')()).resolves.toBe('q'));
    expect(callsFor('preload-outage')).toHaveLength(3);
  });

  it("names the service's refusal, as the service names it", async () => {
    await expect(secretString('missing')()).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager GetSecretValue failed: Secrets Manager can't find the specified secret.",
    });
  });

  it('reads a JSON secret', async () => {
    await expect(secretJson('usercenter-credentials')()).resolves.toEqual({ sysId: 'sys-1', clientId: 'client-1' });
  });

  it.each([
    ['empty', secretString('empty'), 'A driver secret is empty. Its operators must set it (see the deploy guide).'],
    ['not JSON', secretJson('not-json'), 'A driver secret is not a JSON object. Its operators must fix it (see the deploy guide).'],
  ])('an %s secret is an operator error that names no value', async (_case, read, message) => {
    await expect(read()).rejects.toMatchObject({ errorName: 'E_DRIVER_ERROR', message });
  });
});
