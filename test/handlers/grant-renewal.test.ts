/**
 * The consumer loads its grant refresher on the first 401 or 403 (composition/state-reports.ts): a fresh consumer
 * whose first batch has two grants refused at once renews both through the one refresher it loads then, and
 * delivers both (test/unit/grant-renewer.test.ts: built once however many ask).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { startStateReports } from '../support/state-reports.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;

beforeAll(async () => {
  harness = await startStateReports();
}, 30_000);
afterAll(() => harness.close());

it("a fresh consumer's first batch: two grants refused at once are both refreshed and both delivered", async () => {
  const user = await harness.login();
  await harness.call('list', JSON.stringify({ userAuth: user }));
  for (const label of ['rokid-a', 'rokid-b'])
    expect((await harness.acceptGrant(user.userToken, label)).header.name).toBe('AcceptGrantResponse');
  const stale = await Promise.all(['rokid-a', 'rokid-b'].map(async (label) => (await harness.storedGrant(user.userId, label))?.version));
  harness.rokid.expireTokens();
  const light = demoHome(user.userId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;
  await harness.postEvents({ events: [{ id: 'race-1', userId: user.userId, deviceId: light, type: 'changed', state: { switch: 'on' } }] });

  expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
  expect(harness.rokid.received.map((e) => e.status).sort()).toEqual([202, 202, 401, 401]);
  expect(harness.rokid.tokenRequests.filter((r) => r.grantType === 'refresh_token')).toHaveLength(2);
  for (const [i, label] of ['rokid-a', 'rokid-b'].entries()) {
    const grant = await harness.storedGrant(user.userId, label);
    expect(grant).toMatchObject({ status: 'active', refreshFailures: 0 });
    expect(grant?.version).toBeGreaterThan(stale[i]!);
  }
  expect(harness.sqs.depth('events')).toBe(0);
});
