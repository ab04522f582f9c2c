/**
 * POST /device-events when DynamoDB applies an event id's claim and its answer is lost on the way back, so that the
 * SDK sends the claim again: the webhook recognises its own claim (no false 409), queues the event, and leaves no
 * claim dangling (the same body again is a duplicate).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';
import { startStateReports } from '../support/state-reports.ts';

let faults: DynamoFaults;
let harness: Awaited<ReturnType<typeof startStateReports>>;
beforeAll(async () => {
  faults = await startDynamoFaults();
  harness = await startStateReports({ env: { AWS_ENDPOINT_URL_DYNAMODB: faults.url } });
  faults.target = harness.table.endpoint;
}, 30_000);
afterAll(async () => {
  await harness.close();
  await faults.close();
});

it('202 and the event queued once, not a false 409 and a dangling claim', async () => {
  faults.rule = firstCalls((call) => call.operation === 'PutItem' && call.body.includes('"claimed"'), 'lose-answer');
  const body = { events: [{ id: 'lost-1', userId: 'u-1', deviceId: 'd-1', type: 'changed', state: { switch: 'on' } }] };
  const first = await harness.postEvents(body);
  expect(faults.injected).toEqual([{ operation: 'PutItem', fault: 'lose-answer' }]);
  expect(first.statusCode).toBe(202);
  expect(JSON.parse(first.body ?? '')).toEqual({ queued: 1, duplicates: 0 });
  const again = await harness.postEvents(body);
  expect(JSON.parse(again.body ?? '')).toEqual({ queued: 0, duplicates: 1 });
  expect(harness.sqs.depth('events')).toBe(1);
});
