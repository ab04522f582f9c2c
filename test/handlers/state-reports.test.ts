/**
 * The consumer as the real handler, taking SQS batches from the SQS stand-in, delivering to the Rokid stand-in,
 * on the embedded DynamoDB: every class of the gateway's answer (202, 401, 403, 400, 422, 5xx, no answer, a
 * refused connection), the backoff and the redrive after MAX_DELIVERIES, and no endpoint ever going backwards.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { DynamoDeliveryPositions } from '../../functions/adapters/dynamodb/event-records.ts';
import { MAX_DELIVERIES, retryDelayS } from '../../functions/domain/events/delivery.ts';
import { grantKeyOf } from '../../functions/domain/events/grant.ts';
import { POSITION_LEASE_S, positionKey } from '../../functions/domain/events/grant-delivery.ts';
import { sequenceOrder } from '../../functions/domain/events/ordering.ts';
import { closedPortUrl } from '../support/scripted-server.ts';
import { startStateReports } from '../support/state-reports.ts';
import { bearer, v2Message } from '../support/v2.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
let userAuth: { userId: string; userToken: string };
const deviceOf = (suffix: string) => demoHome(userAuth.userId).find((d) => d.deviceId.endsWith(suffix))!.deviceId;
let n = 0;
const change = (deviceId: string, state: Record<string, unknown> = { switch: 'on' }) => ({
  id: `e-${++n}`,
  userId: userAuth.userId,
  deviceId,
  type: 'changed',
  state,
});
const names = () => harness.rokid.received.map((e) => `${e.status} ${(e.message as any)?.header?.name}`);

beforeAll(async () => {
  harness = await startStateReports();
  userAuth = await harness.login();
  // The demo home is seeded on first sight: Discover once, as Rokid would after binding.
  await harness.call('list', JSON.stringify({ userAuth }));
}, 30_000);
afterAll(() => harness.close());

beforeEach(async () => {
  harness.rokid.gatewayFault = undefined;
  harness.rokid.nextGatewayFaults.length = 0;
  await harness.drain();
  harness.rokid.received.length = 0;
});

describe('with a live grant', () => {
  beforeAll(async () => {
    const answer = await harness.acceptGrant(userAuth.userToken, 'rokid-1');
    expect(answer.header.name).toBe('AcceptGrantResponse');
  });

  it('202: delivered once, and the message is deleted', async () => {
    expect((await harness.postEvents({ events: [change(deviceOf('white-light'))] })).statusCode).toBe(202);
    const delivered = await harness.deliver();
    expect(delivered?.response.batchItemFailures).toEqual([]);
    expect(names()).toEqual(['202 ChangeReport']);
    expect(harness.sqs.depth('events')).toBe(0);
  });

  it('401: the token is refreshed once and the event resent with the same messageId', async () => {
    harness.rokid.expireTokens();
    const refreshes = harness.rokid.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
    await harness.postEvents({ events: [change(deviceOf('white-light'), { switch: 'off' })] });
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(names()).toEqual(['401 ChangeReport', '202 ChangeReport']);
    const [first, second] = harness.rokid.received.map((e) => (e.message as any).header.messageId);
    expect(first).toBe(second);
    expect(harness.rokid.tokenRequests.filter((r) => r.grantType === 'refresh_token').length).toBe(refreshes + 1);
  });

  it('5xx: retried after its backoff (15 s, then 30 s), then delivered; the same event is sent once it succeeds', async () => {
    harness.rokid.gatewayFault = 503;
    await harness.postEvents({ events: [change(deviceOf('white-light'))] });
    const first = await harness.deliver();
    expect(first?.response.batchItemFailures).toHaveLength(1);
    // Hidden for its backoff: a poll now finds nothing.
    expect(await harness.deliver()).toBeUndefined();
    harness.advance(retryDelayS(1) * 1000);
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    harness.advance(retryDelayS(1) * 1000);
    expect(await harness.deliver()).toBeUndefined();
    harness.advance((retryDelayS(2) - retryDelayS(1)) * 1000);
    harness.rokid.gatewayFault = undefined;
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(names()).toEqual(['503 ChangeReport', '503 ChangeReport', '202 ChangeReport']);
    expect(retryDelayS(1)).toBeLessThanOrEqual(30);
  });

  it('no answer in time: retried', async () => {
    harness.rokid.gatewayFault = 'hang';
    await harness.postEvents({ events: [change(deviceOf('white-light'))] });
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    harness.rokid.gatewayFault = undefined;
    harness.advance(retryDelayS(1) * 1000);
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(names()).toEqual(['202 ChangeReport']);
  });

  it('a 5xx past MAX_DELIVERIES, over an hour of retries, is moved to the dead-letter queue by the redrive', async () => {
    harness.rokid.gatewayFault = 500;
    const dead = harness.sqs.depth('event-dead-letters');
    await harness.postEvents({ events: [change(deviceOf('white-light'))] });
    let waitedS = 0;
    for (let attempt = 1; attempt <= MAX_DELIVERIES; attempt++) {
      expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
      harness.advance(retryDelayS(attempt) * 1000);
      waitedS += retryDelayS(attempt);
    }
    expect(waitedS).toBeGreaterThan(3600);
    expect(await harness.deliver()).toBeUndefined();
    expect(harness.sqs.depth('event-dead-letters')).toBe(dead + 1);
    expect(harness.rokid.received).toHaveLength(MAX_DELIVERIES);
  });

  it.each([400, 422])('%i: set aside in the dead-letter queue at once, with the reason, and never retried', async (status) => {
    harness.rokid.gatewayFault = status;
    const dead = harness.sqs.depth('event-dead-letters');
    await harness.postEvents({ events: [change(deviceOf('white-light'))] });
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(harness.sqs.depth('event-dead-letters')).toBe(dead + 1);
    harness.advance(3600_000);
    expect(await harness.deliver()).toBeUndefined();
    expect(names()).toEqual([`${status} ChangeReport`]);
  });

  it('an older change of an endpoint is never delivered after a newer one', async () => {
    const light = deviceOf('white-light');
    // Two bodies: the first (older) fails at the gateway, the second (newer) goes through.
    harness.rokid.gatewayFault = 503;
    await harness.postEvents({ events: [change(light, { switch: 'off' })] });
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    harness.rokid.gatewayFault = undefined;
    await harness.postEvents({ events: [change(light, { switch: 'on' })] });
    await harness.deliver();
    harness.advance(retryDelayS(1) * 1000);
    // The older one comes back, and is dropped: it would take the endpoint backwards.
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    const accepted = harness.rokid.accepted().map((e) => (e.message as any).payload.change.states[0].value);
    expect(accepted).toEqual(['On']);
  });

  it('an endpoint held by a delivery that died: after two brief waits, the event waits out the lease instead of spending receives', async () => {
    const light = deviceOf('white-light');
    const positions = new DynamoDeliveryPositions(harness.table.db, harness.table.tableName);
    const position = positionKey(grantKeyOf('rokid-1', { vendorUserId: userAuth.userId }), light);
    const nowS = Math.floor(Date.now() / 1000);
    const dead = await positions.claim(position, nowS, nowS + POSITION_LEASE_S);
    expect(dead.kind).toBe('claimed');
    await harness.postEvents({ events: [change(light, { switch: 'off' })] });
    // Receives 1 and 2 find the endpoint busy and come back 5 s later, as a live holder is soon done.
    for (let receive = 1; receive <= 2; receive++) {
      expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
      harness.advance(5_000);
    }
    // Receive 3 waits until the dead holder's lease lapses: not back 5 s, nor 25 s, later (it was every 5 s: a
    // dead lease spent six of the event's twelve receives).
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    harness.advance(5_000);
    expect(await harness.deliver()).toBeUndefined();
    harness.advance(20_000);
    expect(await harness.deliver()).toBeUndefined();
    await positions.release(position, (dead as { claimId: string }).claimId);
    harness.advance(POSITION_LEASE_S * 1000);
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(harness.rokid.accepted().map((e) => (e.message as any).payload.change.states[0].value)).toEqual(['Off']);
  });

  it('an endpoint held by a delivery of a newer change of the same interface: the older event is dropped at once, not queued behind it', async () => {
    const light = deviceOf('white-light');
    const positions = new DynamoDeliveryPositions(harness.table.db, harness.table.tableName);
    const position = positionKey(grantKeyOf('rokid-1', { vendorUserId: userAuth.userId }), light);
    const nowS = Math.floor(Date.now() / 1000);
    const holder = await positions.claim(position, nowS, nowS + POSITION_LEASE_S);
    if (holder.kind !== 'claimed') throw new Error('the endpoint should be free');
    // The holder is about to send the device's Switch change 9; no newer Brightness change is on anyone's way. (By
    // sequence: the receipt-ordered changes of the other tests start over from it, as a switch of scheme does.)
    expect(await positions.intend(position, holder.claimId, { Switch: sequenceOrder(9, 0) })).toBe(true);
    await harness.postEvents({
      events: [
        { ...change(light, { switch: 'off' }), sequence: 5 },
        { ...change(light, { brightness: 40 }), sequence: 6 },
      ],
    });
    // One receive: the Switch change is done with (a receive spent waiting on the endpoint counts towards the
    // redrive, and under a stream of changes a wait may never end); the Brightness change waits its turn.
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    await positions.release(position, holder.claimId);
    harness.advance(5_000);
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    expect(harness.rokid.accepted().map((e) => (e.message as any).payload.change.states.map((s: any) => s.interface))).toEqual([
      ['Brightness'],
    ]);
  });

  it('two changes of one endpoint in one batch go in the order they happened', async () => {
    const light = deviceOf('white-light');
    await harness.postEvents({
      events: [change(light, { brightness: 10 }), change(light, { brightness: 20 }), change(light, { brightness: 30 })],
    });
    await harness.drain();
    const values = harness.rokid.accepted().map((e) => (e.message as any).payload.change.states[0].value);
    expect(values).toEqual([10, 20, 30]);
  });
});

describe('grants that end', () => {
  it('an older BearerToken grant (authorization.md) has no refresh token: a 401 ends it, and /report/failed is sent no made-up key', async () => {
    const other = await harness.login();
    const reported = harness.rokid.reportedFailed.length;
    const answer = await harness.v2(
      v2Message('Rokid.Authorization', 'AcceptGrant', bearer(other.userToken), {
        payload: { grant: { type: 'BearerToken', token: harness.rokid.issueToken('rokid-bearer') } },
      }),
    );
    expect(answer.header).toMatchObject({ namespace: 'Rokid.Authorization', name: 'AcceptGrantResponse' });
    harness.rokid.expireTokens();
    await harness.postEvents({ events: [{ ...change(deviceOf('white-light')), userId: other.userId }] });
    await harness.drain();
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [{ ...change(deviceOf('white-light'), { switch: 'off' }), userId: other.userId }] });
    await harness.drain();
    // Only the code grant, refreshed, is sent to now; the bearer grant ended at its 401.
    expect(harness.rokid.received.map((e) => e.status)).not.toContain(401);
    const linkId = other.userToken.split('.')[1];
    expect(await harness.storedGrant(other.userId, undefined, linkId)).toMatchObject({ status: 'ended', endedBecause: 'token_refused' });
    // The grant has no Rokid userId: Rokid is told nothing, rather than a key the driver made up (link:…).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.rokid.reportedFailed).toHaveLength(reported);
  });
});

describe('a batch that runs out of time', () => {
  it("goes back to the queue at once, unsent, rather than waiting out a timed-out batch's visibility", async () => {
    const { stateReportsHandler, deliveryReserveMs } = await import('../../functions/state-reports.ts');
    const { sqsEventOf } = await import('../../lib/local/queue-poller.ts');
    const { lambdaContext: contextFor } = await import('../../lib/local/lambda-context.ts');
    const { awsJsonCall } = await import('../../functions/adapters/aws/json-call.ts');
    const { SQS } = await import('../../functions/adapters/sqs/sqs-queue.ts');
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [change(deviceOf('white-light')), change(deviceOf('rgb-light'))] });
    const received = await awsJsonCall(
      SQS,
      'ReceiveMessage',
      { QueueUrl: harness.config().EVENTS_QUEUE_URL, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] },
      { timeoutMs: 5000 },
    );
    const event = sqsEventOf(received['Messages'] as Array<Record<string, unknown>>, 'arn:aws:sqs:local:000000000000:events', 'local');
    const consumer = stateReportsHandler(() => harness.config());
    // Less time left than one delivery may take.
    const response = await consumer(event, contextFor('late', deliveryReserveMs(harness.config().ROKID_EVENTS_TIMEOUT_MS) - 1000));
    expect(response.batchItemFailures).toHaveLength(2);
    expect(harness.rokid.received).toEqual([]);
    // Visible again at once: the next poll delivers both.
    await harness.drain();
    expect(harness.rokid.accepted()).toHaveLength(2);
  });
});

// Last: it starts a driver of its own, whose close() resets the environment the ones above run in.
describe('a gateway that refuses the connection', () => {
  let refused: Awaited<ReturnType<typeof startStateReports>>;
  beforeAll(async () => {
    refused = await startStateReports({ settings: { ROKID_EVENT_GATEWAY_URL: `${await closedPortUrl()}/async/events` } });
  }, 30_000);
  afterAll(() => refused.close());

  it('is retried with backoff, and the event stays in the queue', async () => {
    const user = await refused.login();
    await refused.call('list', JSON.stringify({ userAuth: user }));
    await refused.acceptGrant(user.userToken, 'rokid-refused');
    const deviceId = demoHome(user.userId)[0]!.deviceId;
    await refused.postEvents({ events: [{ id: 'r-1', userId: user.userId, deviceId, type: 'changed', state: { switch: 'on' } }] });
    expect((await refused.deliver())?.response.batchItemFailures).toHaveLength(1);
    expect(refused.sqs.depth('events')).toBe(1);
    expect(await refused.deliver()).toBeUndefined();
    refused.advance(retryDelayS(1) * 1000);
    expect((await refused.deliver())?.response.batchItemFailures).toHaveLength(1);
  });
});
