/**
 * Every token-response shape the driver reads, through the whole life of a link: linked by the OAuth
 * commands and the browser callback, listed, refreshed inline by /list, and refreshed by the scheduled
 * job. The account service is scripted on loopback to answer each grant in the shape under test.
 */
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { keys } from '../../functions/adapters/dynamodb/table.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { startHandlers } from '../support/handlers.ts';
import { type ScriptedServer, type SeenRequest, startScriptedServer } from '../support/scripted-server.ts';

const PUBLIC = 'https://driver.example';
let issued = 0;
/** A fresh token response each time, so a refresh is seen to replace the tokens. */
const tokens = () => {
  issued++;
  return {
    // Long enough that no hash or ciphertext in the table holds one by chance (`r-1` once turned up in a state's hash).
    access_token: `vendor-access-token-${issued}`,
    refresh_token: `vendor-refresh-token-${issued}`,
    mac_key: `vendor-mac-key-${issued}`,
    mac_algorithm: 'HmacSHA1',
    open_id: 'o-1',
    scope: '1 20000 3 6000',
    token_type: 'mac',
    expires_in: 7200,
  } as Record<string, unknown>;
};

type Shape = { settings?: Record<string, string>; answer: () => { text: string; contentType: string }; expiresIn?: number };
const json = (body: Record<string, unknown>) => ({ text: JSON.stringify(body), contentType: 'application/json' });
const SHAPES: Record<string, Shape> = {
  "seed 003's sample (mac)": { answer: () => json(tokens()) },
  'no token_type': { answer: () => json({ ...tokens(), token_type: undefined }) },
  'JSON served as text/html': { answer: () => ({ ...json(tokens()), contentType: 'text/html;charset=UTF-8' }) },
  'JSON served as text/plain': { answer: () => ({ ...json(tokens()), contentType: 'text/plain' }) },
  "Xiaomi's &&&START&&& prefix": {
    settings: { OAUTH_RESPONSE_PREFIX: '&&&START&&&' },
    answer: () => ({ text: `&&&START&&&${JSON.stringify(tokens())}`, contentType: 'text/html' }),
  },
  'expires_in as a numeric string': { answer: () => json({ ...tokens(), expires_in: '7200' }) },
  'no expires_in, with OAUTH_DEFAULT_EXPIRES_IN_S': {
    settings: { OAUTH_DEFAULT_EXPIRES_IN_S: '3600' },
    answer: () => json({ ...tokens(), expires_in: undefined }),
    expiresIn: 3600,
  },
};

describe.each(Object.entries(SHAPES))('%s', (_name, shape) => {
  let vendor: ScriptedServer;
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  const grants = (type: string) =>
    vendor.requests.filter((r: SeenRequest) => new URLSearchParams(r.body).get('grant_type') === type).length;
  beforeAll(async () => {
    vendor = await startScriptedServer(() => shape.answer());
    driver = await startHandlers({
      OAUTH_AUTHORIZATION_ENDPOINT: `${vendor.url}/authorize`,
      OAUTH_TOKEN_ENDPOINT: `${vendor.url}/token`,
      OAUTH_CLIENT_ID: 'vendor-app',
      OAUTH_CLIENT_SECRET: 's3cret',
      OAUTH_USER_ID_CLAIM: 'openId,open_id',
      PUBLIC_BASE_URL: PUBLIC,
      ...shape.settings,
    });
  });
  afterAll(async () => {
    await driver.close();
    await vendor.close();
  });

  /** Moves the upstream expiry (and the due time) into the past. */
  const expire = (linkId: string) =>
    driver.table.db.send(
      new UpdateCommand({
        TableName: driver.table.tableName,
        Key: keys.link(linkId),
        UpdateExpression: 'SET credentials.expiresAt = :past, refreshDueAt = :past, refreshAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 10 },
      }),
    );
  const stored = (linkId: string) => new DynamoLinkStore(driver.table.db, driver.table.tableName, driver.cipher).get(linkId);

  it('links, lists, refreshes inline and in the scheduled job', async () => {
    const callback = await driver.oauthCallback(PUBLIC, 'https://homebase.rokid.com/cb');
    const code = new URL(String(callback.headers?.['location'])).searchParams.get('code');
    const { status, data } = await driver.call('command', JSON.stringify({ command: 'OAuthGetToken', params: { code } }));
    expect(status).toBe(0);
    const userAuth = data as { userId: string; userToken: string };
    expect(userAuth.userId).toBe('o-1');
    const linkId = linkIdOf('hbu', userAuth.userToken)!;
    const linked = await stored(linkId);
    expect(linked?.credentials).toMatchObject({ extra: { mac_key: expect.any(String) } });
    const now = Math.floor(Date.now() / 1000);
    expect(linked?.credentials.expiresAt).toBeGreaterThanOrEqual(now + (shape.expiresIn ?? 7200) - 5);

    expect((await driver.call('list', JSON.stringify({ userAuth }))).status).toBe(0);

    // At rest, nothing a vendor issued is in clear: not the tokens, not the mac key, not the PKCE verifiers.
    const { Items = [] } = await driver.table.db.send(new ScanCommand({ TableName: driver.table.tableName }));
    const raw = JSON.stringify(Items);
    for (const secret of [
      linked!.credentials.accessToken,
      linked!.credentials.refreshToken!,
      String(linked!.credentials.extra['mac_key']),
    ]) {
      expect(raw).not.toContain(secret);
    }
    // The PKCE verifier travelled sealed in the state; the table holds only that the state was used.
    const states = Items.filter((item) => String(item['pk']).startsWith('AUTHZ#'));
    expect(states.length).toBeGreaterThan(0);
    for (const item of states) expect(Object.keys(item).sort()).toEqual(['expiresAt', 'pk', 'sk', 'ttl']);

    await expire(linkId);
    expect((await driver.call('list', JSON.stringify({ userAuth }))).status).toBe(0);
    expect(grants('refresh_token')).toBe(1);
    const inline = await stored(linkId);
    expect(inline?.credentials.refreshToken).not.toBe(linked?.credentials.refreshToken);
    // The mac key of the new grant replaces the old one.
    expect(inline?.credentials.extra.mac_key).not.toBe(linked?.credentials.extra.mac_key);

    await expire(linkId);
    const report = await driver.runRefresh();
    expect(report).toMatchObject({ refreshed: 1, failed: 0, needsRelink: 0 });
    expect(grants('refresh_token')).toBe(2);
    // Every refresh carried the redirect_uri the link was made with.
    for (const request of vendor.requests.filter((r) => new URLSearchParams(r.body).get('grant_type') === 'refresh_token')) {
      expect(new URLSearchParams(request.body).get('redirect_uri')).toBe(`${PUBLIC}/oauth/callback`);
    }
  });
});
