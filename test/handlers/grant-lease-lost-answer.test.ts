/**
 * The refresh run when DynamoDB applies a grant's lease and its answer is lost on the way back, so that the SDK sends
 * the lease again: the run meets its own lease and refreshes the grant, once, rather than taking it for another
 * refresher's and leaving the grant until that phantom lease expires.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';
import { startStateReports } from '../support/state-reports.ts';

let faults: DynamoFaults;
let harness: Awaited<ReturnType<typeof startStateReports>>;
let userAuth: { userId: string; userToken: string };
beforeAll(async () => {
  faults = await startDynamoFaults();
  // Tokens of 5 minutes, under the 10-minute lead: the grant is due as soon as it is made.
  harness = await startStateReports({ rokid: { accessTtlS: 300 }, env: { AWS_ENDPOINT_URL_DYNAMODB: faults.url } });
  faults.target = harness.table.endpoint;
  userAuth = await harness.login();
}, 30_000);
afterAll(async () => {
  await harness.close();
  await faults.close();
});

it('refreshes the grant in that run, once, and leaves no lease behind', async () => {
  await harness.acceptGrant(userAuth.userToken, 'rokid-lost');
  const refreshesBefore = harness.rokid.tokenRequests.filter((request) => request.grantType === 'refresh_token').length;
  faults.rule = firstCalls(
    (call) => call.operation === 'UpdateItem' && call.body.includes('SET leaseOwner') && call.body.includes('EVGRANT#'),
    'lose-answer',
  );

  expect(await harness.runRefresh()).toMatchObject({ grantsRefreshed: 1, grantsFailed: 0 });
  expect(faults.injected).toEqual([{ operation: 'UpdateItem', fault: 'lose-answer' }]);
  const refreshes = harness.rokid.tokenRequests.filter((request) => request.grantType === 'refresh_token').length;
  expect(refreshes - refreshesBefore).toBe(1);
  expect(await harness.storedGrant(userAuth.userId, 'rokid-lost')).not.toHaveProperty('leaseOwner');
});
