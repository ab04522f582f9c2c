/**
 * A delivery that dies after Rokid's gateway took its report, before the delivery was recorded (here: DynamoDB
 * refuses the record, every attempt): the order it was about to send was written first, so an older change of
 * the same interface that comes back later is still held back. The report itself may be sent again: a repeat,
 * never a step back.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { retryDelayS } from '../../functions/domain/events/delivery.ts';
import { grantKeyOf } from '../../functions/domain/events/grant.ts';
import { positionKey } from '../../functions/domain/events/grant-delivery.ts';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';
import { startStateReports } from '../support/state-reports.ts';

let faults: DynamoFaults;
let harness: Awaited<ReturnType<typeof startStateReports>>;
let userId: string;
beforeAll(async () => {
  faults = await startDynamoFaults();
  harness = await startStateReports({ env: { AWS_ENDPOINT_URL_DYNAMODB: faults.url } });
  faults.target = harness.table.endpoint;
  const user = await harness.login();
  userId = user.userId;
  await harness.call('list', JSON.stringify({ userAuth: user }));
  await harness.acceptGrant(user.userToken, 'rokid-died');
}, 30_000);
afterAll(async () => {
  await harness.close();
  await faults.close();
});

it('an older change that comes back after a newer one was sent, but not recorded, is not sent', async () => {
  const light = demoHome(userId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;
  const change = (id: string, value: string, sequence: number) => ({
    id,
    userId,
    deviceId: light,
    type: 'changed',
    state: { switch: value },
    sequence,
  });
  harness.rokid.gatewayFault = 503;
  await harness.postEvents({ events: [change('older', 'off', 4)] });
  expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
  harness.rokid.gatewayFault = undefined;
  await harness.postEvents({ events: [change('newer', 'on', 9)] });
  // The newer one's delivery record fails on every attempt the SDK makes: as if the invocation died there.
  faults.rule = firstCalls((call) => call.operation === 'UpdateItem' && call.body.includes('"d:Switch"'), 'fail', 3);
  expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
  faults.rule = () => 'pass';
  // The dead delivery's hold on the endpoint lapses (30 s on the driver's clock).
  await harness.table.db.send(
    new UpdateCommand({
      TableName: harness.table.tableName,
      Key: { pk: `EVENTPOS#${positionKey(grantKeyOf('rokid-died', { vendorUserId: userId }), light)}`, sk: 'POSITION' },
      UpdateExpression: 'SET claimUntil = :zero',
      ExpressionAttributeValues: { ':zero': 0 },
    }),
  );
  harness.advance(retryDelayS(2) * 1000);
  await harness.drain();
  expect(harness.sqs.depth('events')).toBe(0);
  const values = harness.rokid
    .accepted()
    .map((e) => (e.message as { payload: { change: { states: Array<{ value: unknown }> } } }).payload.change.states[0]!.value);
  expect(values).toEqual(['On', 'On']);
});
