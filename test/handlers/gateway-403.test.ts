/**
 * A 403 from Rokid's gateway is confirmed before a grant ends: a grant with a refresh token is refreshed and the
 * event resent, and ends only on a 403 to the fresh token (Rokid is not told: the skill is off); a BearerToken
 * grant ends only once 403s have lasted an hour, and until then its events are retried as in an outage.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { retryDelayS } from '../../functions/domain/events/delivery.ts';
import { grantKeyOf } from '../../functions/domain/events/grant.ts';
import { startStateReports } from '../support/state-reports.ts';
import { bearer, v2Message } from '../support/v2.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
let n = 0;
const changeOf = (user: { userId: string }) => ({
  id: `f-${++n}`,
  userId: user.userId,
  deviceId: demoHome(user.userId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId,
  type: 'changed',
  state: { brightness: n },
});
const statuses = () => harness.rokid.received.map((e) => e.status);
const refreshes = () => harness.rokid.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;

beforeAll(async () => {
  harness = await startStateReports({ rokid: { tokenNamesUser: true } });
}, 30_000);
afterAll(() => harness.close());
beforeEach(() => {
  harness.rokid.received.length = 0;
});

describe('a grant with a refresh token', () => {
  it('a 403 the fresh token cures: refreshed, resent, delivered, and the grant lives on', async () => {
    const user = await harness.login();
    await harness.call('list', JSON.stringify({ userAuth: user }));
    await harness.acceptGrant(user.userToken, 'rokid-cured');
    const before = refreshes();
    harness.rokid.nextGatewayFaults.push(403);
    await harness.postEvents({ events: [changeOf(user)] });
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(statuses()).toEqual([403, 202]);
    expect(refreshes()).toBe(before + 1);
    expect(await harness.storedGrant(user.userId, 'rokid-cured')).toMatchObject({ status: 'active' });
  });

  it('a 403 to the fresh token ends the grant, and Rokid is not told (the skill is off)', async () => {
    const other = await harness.login();
    await harness.acceptGrant(other.userToken, 'rokid-off');
    harness.rokid.forbid('rokid-off');
    await harness.postEvents({ events: [changeOf(other)] });
    await harness.drain();
    expect(await harness.storedGrant(other.userId, 'rokid-off')).toMatchObject({ status: 'ended', endedBecause: 'gateway_forbidden' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.rokid.reportedFailed).not.toContain('rokid-off');
  });
});

describe('a BearerToken grant', () => {
  it('403s are retried as an outage, and end the grant only once they have lasted an hour', async () => {
    const user = await harness.login();
    const linkId = user.userToken.split('.')[1]!;
    await harness.v2(
      v2Message('Rokid.Authorization', 'AcceptGrant', bearer(user.userToken), {
        payload: { grant: { type: 'BearerToken', token: harness.rokid.issueToken('rokid-bearer-403') } },
      }),
    );
    harness.rokid.forbid('rokid-bearer-403');
    await harness.postEvents({ events: [changeOf(user)] });
    // Every grant of the user gets it; the bearer grant's 403 makes the event come back.
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    const grant = await harness.storedGrant(user.userId, undefined, linkId);
    expect(grant).toMatchObject({ status: 'active', forbiddenSince: expect.any(Number) });
    harness.advance(retryDelayS(1) * 1000);
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    expect(await harness.storedGrant(user.userId, undefined, linkId)).toMatchObject({ status: 'active' });
    // An hour of 403s, as the driver's clock would have it.
    const { db, tableName } = harness.table;
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `EVGRANT#${grantKeyOf(undefined, { vendorUserId: user.userId, linkId })}`, sk: 'GRANT' },
        UpdateExpression: 'SET forbiddenSince = :since',
        ExpressionAttributeValues: { ':since': Math.floor(Date.now() / 1000) - 3600 },
      }),
    );
    harness.advance(retryDelayS(2) * 1000);
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(await harness.storedGrant(user.userId, undefined, linkId)).toMatchObject({ status: 'ended', endedBecause: 'gateway_forbidden' });
  });
});
