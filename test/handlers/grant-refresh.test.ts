/**
 * Rokid's event tokens never lapse: the scheduled refresh run (the real handler) refreshes each grant due, from the
 * due index, with the links' leases, backoff and failure classes, and ends a grant Rokid refuses for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStateReports } from '../support/state-reports.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
let userAuth: { userId: string; userToken: string };
beforeAll(async () => {
  // Tokens of 5 minutes, under the 10-minute lead: each grant is due as soon as it is made.
  // The token answer names the Rokid user, so labels are confirmed and a dead token may be told to Rokid.
  harness = await startStateReports({ rokid: { accessTtlS: 300, tokenNamesUser: true } });
  userAuth = await harness.login();
}, 30_000);
afterAll(() => harness.close());

const grantOf = async (label: string) => (await harness.storedGrant(userAuth.userId, label))!;
const run = async () => (await harness.runRefresh()) as unknown as Record<string, unknown>;

describe('the refresh run', () => {
  it('refreshes a due grant before its token lapses, and files it again for the next time', async () => {
    await harness.acceptGrant(userAuth.userToken, 'rokid-r1');
    const before = await grantOf('rokid-r1');
    expect(await run()).toMatchObject({ grantsRefreshed: 1, grantsFailed: 0, grantsEnded: 0 });
    const after = await grantOf('rokid-r1');
    expect(after['credentials']['sealed']).not.toBe(before['credentials']['sealed']);
    expect(after['credentials']['expiresAt']).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(after).not.toHaveProperty('leaseOwner');
    expect(harness.rokid.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', ok: true });
  });

  it('an outage backs the grant off (kept, tried again later), with the failure counted', async () => {
    harness.rokid.tokenFault = 503;
    const report = await run();
    harness.rokid.tokenFault = undefined;
    expect(report).toMatchObject({ grantsFailed: 1 });
    const grant = await grantOf('rokid-r1');
    expect(grant).toMatchObject({ status: 'active', refreshFailures: 1 });
    // Backed off: the next run, straight away, leaves it alone.
    expect(grant['refreshAt']).toBeGreaterThan(Math.floor(Date.now() / 1000));
    expect(await run()).toMatchObject({ grantsRefreshed: 0, grantsFailed: 0 });
  });

  it('a refresh token Rokid refuses (invalid_grant) ends the grant, leaves the due index, and Rokid is told the confirmed label', async () => {
    await harness.acceptGrant(userAuth.userToken, 'rokid-r2');
    harness.rokid.revoke('rokid-r2');
    expect(await run()).toMatchObject({ grantsEnded: 1 });
    expect(await grantOf('rokid-r2')).toMatchObject({ status: 'ended', endedBecause: 'refresh_refused', labelVerified: true });
    expect((await grantOf('rokid-r2'))['dueShard']).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.rokid.reportedFailed).toEqual(['rokid-r2']);
    expect(await run()).toMatchObject({ grantsEnded: 0 });
  });
});

describe('a grant an older driver kept under the Rokid userId alone, due', () => {
  it('is moved to its key when the refresh run meets it in the due index, and refreshed there', async () => {
    const { DeleteCommand, PutCommand, GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { grantKeyOf } = await import('../../functions/domain/events/grant.ts');
    const { grantDueShard } = await import('../../functions/adapters/dynamodb/table.ts');
    const { db, tableName } = harness.table;
    // A grant as this driver makes it, then put back as an older driver kept it.
    await harness.acceptGrant(userAuth.userToken, 'rokid-r3');
    const key = grantKeyOf('rokid-r3', { vendorUserId: userAuth.userId });
    const item = (await harness.storedGrant(userAuth.userId, 'rokid-r3'))!;
    const credentials = await harness.cipher.open(item['credentials']['sealed'], `grant:${key}`);
    const { pk: _pk, key: _key, labelVerified: _v, ...fields } = item;
    await db.send(new DeleteCommand({ TableName: tableName, Key: { pk: `EVGRANT#${key}`, sk: 'GRANT' } }));
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...fields,
          pk: 'GRANT#rokid-r3',
          dueShard: grantDueShard('rokid-r3'),
          credentials: { ...item['credentials'], sealed: await harness.cipher.seal(credentials, 'grant:rokid-r3') },
        },
      }),
    );
    expect(await run()).toMatchObject({ grantsRefreshed: 1, grantsFailed: 0 });
    const moved = await grantOf('rokid-r3');
    expect(moved).toMatchObject({ status: 'active', rokidUserId: 'rokid-r3', labelVerified: false });
    expect(moved['credentials']['sealed']).not.toBe(item['credentials']['sealed']);
    expect(moved['lastRefreshedAt']).toBeGreaterThanOrEqual(item['lastRefreshedAt']);
    const old = (await db.send(new GetCommand({ TableName: tableName, Key: { pk: 'GRANT#rokid-r3', sk: 'GRANT' } }))).Item;
    expect(old).toMatchObject({ status: 'moved' });
    expect(old).not.toHaveProperty('dueShard');
  });
});
