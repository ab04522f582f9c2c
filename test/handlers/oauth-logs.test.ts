/**
 * A file of its own (the handlers build their services once per module graph): the OAuth browser
 * routes and an inline refresh, with logs at INFO and metrics on, checked for what they say and for
 * every secret they must never carry.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/table.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import type { OAuthServer } from '../../lib/local/oauth-server.ts';
import { Browser, formAction } from '../support/browser.ts';
import { startHandlers } from '../support/handlers.ts';
import { startTestOAuthServer, TEST_CLIENT } from '../support/oauth.ts';

const PUBLIC = new URL(TEST_CLIENT.redirect_uris[0]).origin;
let server: OAuthServer;
let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  server = await startTestOAuthServer();
  driver = await startHandlers(
    {
      OAUTH_ISSUER: server.issuer,
      OAUTH_CLIENT_ID: TEST_CLIENT.client_id,
      OAUTH_CLIENT_SECRET: TEST_CLIENT.client_secret,
      OAUTH_SCOPE: 'openid',
      PUBLIC_BASE_URL: PUBLIC,
    },
    { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' },
  );
});
afterAll(async () => {
  await driver.close();
  await server.close();
});

/** A browser's GET, through the command function as API Gateway would route it. */
const get = (routeKey: string, url: string, cookie?: string) => driver.browse(routeKey, url, cookie);

it('logs and metrics of linking and an inline refresh name routes and outcomes, never a code, state, token or secret', async () => {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const secrets: string[] = [TEST_CLIENT.client_secret];
  try {
    const { data: url } = await driver.call(
      'command',
      JSON.stringify({ command: 'OAuth', params: { callbackURL: 'https://homebase.rokid.com/cb' } }),
    );
    const start = await get('GET /oauth/start', url as string);
    expect(start.statusCode).toBe(302);
    const browser = new Browser();
    const atDriver = (u: URL) => u.origin === PUBLIC;
    const login = await browser.visit(start.headers!['location'] as string, atDriver);
    const callback = await browser.submit(formAction(login), { username: 'demo', password: 'homebase' }, atDriver);
    // The browser brings back the cookie /oauth/start bound the state to.
    const back = await get('GET /oauth/callback', callback.url.toString(), start.cookies?.[0]?.split(';')[0]);
    const code = new URL(back.headers!['location'] as string).searchParams.get('code')!;
    const { data } = await driver.call('command', JSON.stringify({ command: 'OAuthGetToken', params: { code } }));
    const userAuth = data as { userToken: string; refreshToken: string };

    // Expire the upstream token so the next /list refreshes inline and records metrics.
    const linkId = linkIdOf('hbu', userAuth.userToken)!;
    await driver.table.db.send(
      new UpdateCommand({
        TableName: driver.table.tableName,
        Key: keys.link(linkId),
        UpdateExpression: 'SET credentials.expiresAt = :past',
        ExpressionAttributeValues: { ':past': 1 },
      }),
    );
    expect((await driver.call('list', JSON.stringify({ userAuth }))).status).toBe(0);

    const { Item } = await driver.table.db.send(new GetCommand({ TableName: driver.table.tableName, Key: keys.link(linkId) }));
    secrets.push(Item!['credentials'].accessToken, Item!['credentials'].refreshToken);
    const state = new URL(url as string).searchParams.get('state')!;
    const bound = new URL(start.headers!['location'] as string).searchParams.get('state')!;
    secrets.push(state, bound, code, callback.url.searchParams.get('code')!, userAuth.userToken, userAuth.refreshToken);
  } finally {
    spy.mockRestore();
  }
  const logs = written.join('');
  expect(logs).toContain('"route":"GET /oauth/callback","outcome":"redirect"');
  expect(logs).toContain('"message":"Refreshed upstream credentials"');
  const emf = written.filter((line) => line.includes('"CloudWatchMetrics"')).map((line) => JSON.parse(line));
  expect(
    emf.some((m) => m.refreshed === 1 && typeof m.lag === 'number' && m._aws.CloudWatchMetrics[0].Namespace === 'HomebaseDriver'),
  ).toBe(true);
  for (const secret of secrets) expect(logs).not.toContain(secret);
});
