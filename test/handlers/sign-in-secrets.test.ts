/**
 * Deployed, a sign-in needs two secrets: the attempt-limit key (before the counters are read) and the
 * UserCenter credentials (before the token request). The first request asks for both at once, so the
 * second is not left waiting behind the first and the counters.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

const KEY = 'arn:aws:secretsmanager:local:000000000000:secret:login-limit-key';
const CREDENTIALS = 'arn:aws:secretsmanager:local:000000000000:secret:usercenter-credentials';
/** How long the attempt-limit key takes to arrive: long enough that a read begun after it cannot be mistaken. */
const KEY_DELAY_MS = 300;

let secretsManager: ScriptedServer;
const askedAt: Record<string, number> = {};
let world: Awaited<ReturnType<typeof startHandlers>>;

beforeAll(async () => {
  secretsManager = await startScriptedServer((request) => {
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    askedAt[SecretId] ??= performance.now();
    return SecretId === KEY
      ? { json: { SecretString: 'k'.repeat(43) }, delayMs: KEY_DELAY_MS }
      : { json: { SecretString: JSON.stringify({ sysId: 'sys', clientId: 'client' }) } };
  });
  world = await startHandlers(
    { LOGIN_LIMIT_KEY_ARN: KEY, USERCENTER_CREDENTIALS_ARN: CREDENTIALS },
    { AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url },
  );
});
afterAll(async () => {
  await world.close();
  await secretsManager.close();
});

it('reads the UserCenter credentials while the attempt-limit key is still on its way, each once', async () => {
  const login = await world.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
  expect(login.status).toBe(0);
  expect(askedAt[CREDENTIALS]! - askedAt[KEY]!).toBeLessThan(KEY_DELAY_MS);
  expect(secretsManager.requests).toHaveLength(2);
});
