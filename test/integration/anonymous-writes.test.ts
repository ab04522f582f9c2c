/**
 * Requests nobody has signed in to write nothing: the authorization endpoint (both sign-in kinds), the
 * OAuth command's browser start, and seed 003's login carry their pending state sealed in the state
 * itself. The table is written once someone signs in. The local runtime sweeps out what has expired,
 * which dynalite's TTL never does.
 */
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDriver } from '../../lib/local/driver.ts';
import { localClient } from '../../lib/local/dynamodb.ts';
import { sweepExpired } from '../../lib/local/expiry-sweeper.ts';
import { REDIRECT, startOAuth2Drivers } from '../support/oauth2-drivers.ts';

let usercenter: LocalDriver;
let oidc: LocalDriver;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ usercenter, oidc, close } = await startOAuth2Drivers());
});
afterAll(() => close());

const tableOf = (driver: LocalDriver) => DynamoDBDocumentClient.from(localClient(driver.dynamoEndpoint));
async function itemCount(driver: LocalDriver): Promise<number> {
  const db = tableOf(driver);
  const { Items = [] } = await db.send(new ScanCommand({ TableName: driver.config.TABLE_NAME }));
  db.destroy();
  return Items.length;
}

const authorizeUrl = (driver: LocalDriver, state: string) =>
  `${driver.url}/oauth2/authorize?response_type=code&client_id=homebase-rokid&redirect_uri=${encodeURIComponent(REDIRECT)}&state=${state}`;

describe('anonymous requests', () => {
  it.each([
    ['the sign-in form', () => usercenter],
    ["the vendor's login", () => oidc],
  ])('GET /oauth2/authorize writes nothing, 50 times over (%s)', async (_kind, driver) => {
    const before = await itemCount(driver());
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fetch(authorizeUrl(driver(), `s${i}`), { redirect: 'manual' }).then((r) => r.status)),
    );
    expect(new Set(answers).size).toBe(1);
    expect([200, 302]).toContain(answers[0]);
    expect(await itemCount(driver())).toBe(before);
  });

  it("the OAuth command, its browser start and seed 003's login write nothing", async () => {
    const before = await itemCount(oidc);
    const { data: url } = (await (
      await fetch(`${oidc.url}/command`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'OAuth', params: { callbackURL: 'https://homebase.rokid.com/cb' } }),
      })
    ).json()) as { data: string };
    const start = await fetch(url, { redirect: 'manual' });
    expect(start.status).toBe(302);
    expect(start.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^hb_state_[\w-]+=[\w-]+; Path=\/oauth\/callback; Max-Age=\d+; HttpOnly; SameSite=Lax$/),
    ]);
    const appId = oidc.config.OAUTH_CLIENT_ID;
    const login = await fetch(`${oidc.url}/device_oauth/${appId}/login?device_id=d-1&request_id=r-1`);
    expect(login.status).toBe(200);
    expect(await itemCount(oidc)).toBe(before);
  });
});

describe('the local runtime sweeps out expired items', () => {
  it('deletes what DynamoDB would have expired, and nothing else', async () => {
    const db = tableOf(usercenter);
    const now = Math.floor(Date.now() / 1000);
    const table = usercenter.config.TABLE_NAME;
    await db.send(new PutCommand({ TableName: table, Item: { pk: 'SWEEP#old', sk: 'X', ttl: now - 1 } }));
    await db.send(new PutCommand({ TableName: table, Item: { pk: 'SWEEP#new', sk: 'X', ttl: now + 3600 } }));
    await db.send(new PutCommand({ TableName: table, Item: { pk: 'SWEEP#none', sk: 'X' } }));
    const deleted = await sweepExpired(usercenter.dynamoEndpoint, table, now);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const { Items = [] } = await db.send(new ScanCommand({ TableName: table }));
    const swept = Items.filter((item) => String(item['pk']).startsWith('SWEEP#')).map((item) => item['pk']);
    expect(swept.sort()).toEqual(['SWEEP#new', 'SWEEP#none']);
    db.destroy();
  });
});
