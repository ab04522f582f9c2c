/**
 * Linking, listing and refreshing against an account service in the shape of Xiaomi's (seed 003's):
 * GET token requests with the secret in the query, `&&&START&&&` before JSON served as text/html, keys
 * with stray spaces, tokens of type mac, `openId`, numeric errors with HTTP 200, single-use refresh
 * tokens, and a device cloud that takes MAC-signed requests only. All of it through the local driver.
 */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { keys } from '../../functions/adapters/dynamodb/table.ts';
import { credentialCipher } from '../../functions/composition/table.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { localClient } from '../../lib/local/dynamodb.ts';
import { DEMO_XIAOMI_ACCOUNT } from '../../lib/local/xiaomi-server.ts';
import { Browser, formAction } from '../support/browser.ts';
import { postJson } from '../support/http.ts';

let driver: LocalDriver;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, upstreamStyle: 'xiaomi', settings: { REFRESH_INTERVAL_S: '3600' } });
  db = DynamoDBDocumentClient.from(localClient(driver.dynamoEndpoint));
});
afterAll(async () => {
  db.destroy();
  await driver.close();
});

const post = (path: string, body: unknown) => postJson(driver.url, path, body);
const CALLBACK = 'https://homebase.rokid.com/oauth/done';
const atHomebase = (url: URL) => url.origin === 'https://homebase.rokid.com';

async function link(options: { cancel?: boolean } = {}) {
  const { data: url } = await post('/command', { command: 'OAuth', params: { callbackURL: CALLBACK } });
  const browser = new Browser();
  const page = await browser.visit(url, atHomebase);
  // Xiaomi's fixed authorize parameter and numeric scopes went along.
  expect(page.url.searchParams.get('skip_confirm')).toBe('true');
  expect(page.url.searchParams.get('scope')).toBe('1 3');
  const fields: Record<string, string> = { username: DEMO_XIAOMI_ACCOUNT.username, password: DEMO_XIAOMI_ACCOUNT.password };
  if (options.cancel) fields['cancel'] = '1';
  const landing = (await browser.submit(formAction(page), fields, atHomebase)).url;
  if (options.cancel) return { landing, userAuth: undefined };
  const got = await post('/command', { command: 'OAuthGetToken', params: { code: landing.searchParams.get('code') } });
  return { landing, userAuth: got.data as { userId: string; userToken: string } };
}

/** Moves the link's upstream expiry into the past, as time passing would. */
async function expire(userToken: string) {
  const now = Math.floor(Date.now() / 1000);
  await db.send(
    new UpdateCommand({
      TableName: driver.config.TABLE_NAME,
      Key: keys.link(linkIdOf('hbu', userToken)!),
      UpdateExpression: 'SET credentials.expiresAt = :past, refreshDueAt = :past, refreshAt = :past',
      ExpressionAttributeValues: { ':past': now - 10 },
    }),
  );
}

const storedLink = (userToken: string) =>
  new DynamoLinkStore(db, driver.config.TABLE_NAME, credentialCipher(driver.config)).get(linkIdOf('hbu', userToken)!);

describe('a Xiaomi-shaped account service', () => {
  it('links: the openId becomes the userId, and the mac credentials are kept with the redirect_uri', async () => {
    const { userAuth } = await link();
    expect(userAuth?.userId).toBe(DEMO_XIAOMI_ACCOUNT.openId);
    const stored = await storedLink(userAuth!.userToken);
    expect(stored).toMatchObject({
      upstream: 'oauth',
      upstreamRedirectUri: `${driver.url}/oauth/callback`,
      credentials: {
        extra: { token_type: 'mac', mac_algorithm: 'HmacSha1', mac_key: expect.any(String), openId: DEMO_XIAOMI_ACCOUNT.openId },
      },
    });
    expect(stored!.credentials.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('lists and controls the devices through a cloud that verifies each MAC signature', async () => {
    const { userAuth } = await link();
    const listed = await post('/list', { userAuth });
    expect(listed.status).toBe(0);
    const light = (listed.data as { deviceId: string; actions: Record<string, unknown> }[]).find((d) => d.actions['brightness'])!;
    const executed = await post('/execute', {
      device: { deviceId: light.deviceId, userAuth },
      action: { property: 'brightness', name: 'num', value: 30 },
    });
    expect(executed).toMatchObject({ status: 0, data: { brightness: 30 } });
    expect(driver.deviceCloud!.refused).toBe(0);
  });

  it('refreshes inline on /list: one GET refresh grant with the redirect_uri, and the new mac key signs the next call', async () => {
    const { userAuth } = await link();
    const before = await storedLink(userAuth!.userToken);
    await expire(userAuth!.userToken);
    const calls = driver.xiaomiServer!.refreshCalls;
    expect((await post('/list', { userAuth })).status).toBe(0);
    expect(driver.xiaomiServer!.refreshCalls).toBe(calls + 1);
    const after = await storedLink(userAuth!.userToken);
    expect(after!.credentials.refreshToken).not.toBe(before!.credentials.refreshToken);
    expect(after!.credentials.extra['mac_key']).not.toBe(before!.credentials.extra['mac_key']);
    expect(after!.upstreamRedirectUri).toBe(`${driver.url}/oauth/callback`);
    expect((await post('/list', { userAuth })).status).toBe(0);
  });

  it('refreshes in the scheduled job, and a spent refresh token (a numeric error with HTTP 200) ends in a relink', async () => {
    const { userAuth } = await link();
    await expire(userAuth!.userToken);
    const report = (await driver.refresh.runNow()) as { refreshed: number };
    expect(report.refreshed).toBeGreaterThanOrEqual(1);
    expect((await post('/list', { userAuth })).status).toBe(0);

    // Present a refresh token Xiaomi has already spent: its answer is {"error": 96013, ...} with HTTP 200.
    const stored = (await storedLink(userAuth!.userToken))!;
    const store = new DynamoLinkStore(db, driver.config.TABLE_NAME, credentialCipher(driver.config));
    const spent = { ...stored, credentials: { ...stored.credentials, refreshToken: 'spent-refresh-token' }, version: stored.version + 1 };
    expect(await store.update(spent)).toBe(true);
    await expire(userAuth!.userToken);
    const relinked = (await driver.refresh.runNow()) as { needsRelink: number };
    expect(relinked.needsRelink).toBeGreaterThanOrEqual(1);
    await expect(post('/list', { userAuth })).resolves.toMatchObject({ status: 1, errorName: 'E_INVALID_AUTHORIZATION' });
  });

  it('sends a cancelled sign-in back to Homebase with the numeric error as it came', async () => {
    const { landing } = await link({ cancel: true });
    expect(landing.searchParams.get('error')).toBe('96005');
  });
});
