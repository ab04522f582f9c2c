/**
 * Secrets through Powertools Parameters, against a scripted Secrets Manager on loopback (the SDK
 * honours AWS_ENDPOINT_URL_SECRETS_MANAGER), so the real client, signing and caching are exercised.
 * As deployed: in a Lambda environment, where the client is given its settings (client-settings.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretJson, secretString } from '../../functions/adapters/secrets/secrets.ts';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

let secretsManager: ScriptedServer;
const values: Record<string, string> = {
  'oauth-client-secret': 's3cret',
  'usercenter-credentials': '{"sysId":"sys-1","clientId":"client-1"}',
  empty: '',
  'not-json': 'sys-1',
};
beforeAll(async () => {
  secretsManager = await startScriptedServer((request) => {
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    return { json: { ARN: `arn:aws:secretsmanager:local:0:secret:${SecretId}`, Name: SecretId, SecretString: values[SecretId] } };
  });
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'homebase-command',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
});
afterAll(() => secretsManager.close());

describe('secrets from Secrets Manager', () => {
  it('reads a string secret once and serves it from the cache afterwards', async () => {
    const read = secretString('oauth-client-secret');
    await expect(read()).resolves.toBe('s3cret');
    await expect(read()).resolves.toBe('s3cret');
    const calls = secretsManager.requests.filter((r) => r.body.includes('oauth-client-secret'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
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
