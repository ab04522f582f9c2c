/**
 * A grant belongs to the vendor user whose authorization accepted it: another vendor user naming the same Rokid
 * userId, by either grant type, gets a grant of their own and never ends anyone else's; only a Rokid userId Rokid
 * confirmed is ever told to /report/failed; and a grant an older driver kept under Rokid's userId alone is moved
 * to its vendor user's key when first met.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { OTHER_ACCOUNT } from '../support/handlers.ts';
import { startStateReports } from '../support/state-reports.ts';
import { bearer, v2Message } from '../support/v2.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
let first: { userId: string; userToken: string };
let second: { userId: string; userToken: string };
let n = 0;
const changeOf = (user: { userId: string }, value: number) => ({
  id: `o-${++n}`,
  userId: user.userId,
  deviceId: demoHome(user.userId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId,
  type: 'changed',
  state: { brightness: value },
});
const brightnessSent = () =>
  harness.rokid
    .accepted()
    .map((e) => (e.message as { payload: { change: { states: Array<{ value: unknown }> } } }).payload.change.states[0]!.value);
const acceptAs = (user: { userToken: string }, grant: Record<string, unknown>) =>
  harness.v2(v2Message('Rokid.Authorization', 'AcceptGrant', bearer(user.userToken), { payload: { grant } }));

beforeAll(async () => {
  harness = await startStateReports();
  first = await harness.login();
  second = await harness.login(OTHER_ACCOUNT);
  expect(second.userId).not.toBe(first.userId);
  for (const user of [first, second]) await harness.call('list', JSON.stringify({ userAuth: user }));
  expect((await harness.acceptGrant(first.userToken, 'rokid-first')).header.name).toBe('AcceptGrantResponse');
}, 30_000);
afterAll(() => harness.close());

describe("another vendor user naming the first's Rokid userId", () => {
  it('with a code grant of their own: both grants live, and the first user’s reports still arrive under their own', async () => {
    const answer = await acceptAs(second, {
      type: 'OAuth2.AuthorizationCode',
      code: harness.rokid.issueCode('rokid-second'),
      userId: 'rokid-first',
    });
    expect(answer.header.name).toBe('AcceptGrantResponse');
    expect(await harness.storedGrant(first.userId, 'rokid-first')).toMatchObject({ status: 'active', vendorUserId: first.userId });
    expect(await harness.storedGrant(second.userId, 'rokid-first')).toMatchObject({ status: 'active', vendorUserId: second.userId });
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [changeOf(first, 21)] });
    await harness.drain();
    expect(brightnessSent()).toEqual([21]);
  });

  it('with a BearerToken grant carrying junk and the userId: the userId is ignored, and the first user’s reports still arrive', async () => {
    const answer = await acceptAs(second, { type: 'BearerToken', token: 'junk', userId: 'rokid-first' });
    expect(answer.header.name).toBe('AcceptGrantResponse');
    expect(await harness.storedGrant(second.userId, undefined, second.userToken.split('.')[1])).toMatchObject({ type: 'BearerToken' });
    expect(await harness.storedGrant(first.userId, 'rokid-first')).toMatchObject({ status: 'active' });
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [changeOf(first, 22)] });
    await harness.drain();
    expect(brightnessSent()).toEqual([22]);
  });

  it("when the second user's grant dies, Rokid is not told the first user's userId: no one confirmed that label", async () => {
    harness.rokid.revoke('rokid-second');
    harness.rokid.expireTokens();
    await harness.postEvents({ events: [changeOf(second, 23)] });
    await harness.drain();
    expect(await harness.storedGrant(second.userId, 'rokid-first')).toMatchObject({ status: 'ended', endedBecause: 'refresh_refused' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.rokid.reportedFailed).toEqual([]);
    // The first user's grant was refreshed and still works.
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [changeOf(first, 24)] });
    await harness.drain();
    expect(brightnessSent()).toEqual([24]);
  });
});

describe('a grant an older driver kept under the Rokid userId alone (GRANT#<rokidUserId>)', () => {
  it('is moved to its vendor user’s key when delivery first meets it, and reports go on', async () => {
    const token = harness.rokid.issueToken('rokid-legacy');
    const sealed = await harness.cipher.seal(JSON.stringify({ accessToken: token, extra: {} }), 'grant:rokid-legacy');
    const now = Math.floor(Date.now() / 1000);
    const { db, tableName } = harness.table;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'GRANT#rokid-legacy',
          sk: 'GRANT',
          rokidUserId: 'rokid-legacy',
          vendorUserId: first.userId,
          type: 'OAuth2.AuthorizationCode',
          credentials: { sealed },
          status: 'active',
          grantedAtMs: Date.now(),
          lastRefreshedAt: now,
          refreshFailures: 0,
          updatedAt: now,
          version: 3,
        },
      }),
    );
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [changeOf(first, 25)] });
    await harness.drain();
    // Sent to both of the first user's grants: the one made here, and the one moved.
    expect(brightnessSent()).toEqual([25, 25]);
    // The old item stays a while, marked moved and out of both indexes (the consumer may update, not delete).
    const old = (await db.send(new GetCommand({ TableName: tableName, Key: { pk: 'GRANT#rokid-legacy', sk: 'GRANT' } }))).Item;
    expect(old).toMatchObject({ status: 'moved' });
    expect(old).not.toHaveProperty('vendorUserId');
    expect(await harness.storedGrant(first.userId, 'rokid-legacy')).toMatchObject({
      status: 'active',
      rokidUserId: 'rokid-legacy',
      labelVerified: false,
      version: 3,
    });
  });
});
