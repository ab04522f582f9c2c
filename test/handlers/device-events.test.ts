/**
 * POST /device-events through the real handler, the embedded DynamoDB and the SQS stand-in: 202 only once every
 * event is in the queue; a bad signature 401 and a bad body 400, each with the exact reason and nothing stored; an
 * id seen before accepted and dropped; a queue that fails stores nothing and frees the ids for the retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signEvents } from '../../functions/domain/events/signature.ts';
import { startHandlers } from '../support/handlers.ts';
import { startStateReports } from '../support/state-reports.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
beforeAll(async () => {
  harness = await startStateReports();
}, 30_000);
afterAll(() => harness.close());

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  userId: 'u-1',
  deviceId: 'd-1',
  type: 'changed',
  state: { switch: 'on' },
  ...extra,
});
const queued = () => harness.sqs.depth('events');
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}');

describe('accepted', () => {
  it('answers 202 once every event is in the queue, each stamped with when it arrived and its cause', async () => {
    const before = queued();
    const result = await harness.postEvents({ events: [event('a-1'), event('a-2', { cause: 'APP_INTERACTION' })] });
    expect(result.statusCode).toBe(202);
    expect(bodyOf(result)).toEqual({ queued: 2, duplicates: 0 });
    expect(queued()).toBe(before + 2);
    const bodies = harness.sqs
      .bodies('events')
      .slice(-2)
      .map((b) => JSON.parse(b));
    expect(bodies.map((b) => b.cause)).toEqual(['PHYSICAL_INTERACTION', 'APP_INTERACTION']);
    expect(bodies[0].order < bodies[1].order).toBe(true);
    expect(bodies[0]).toMatchObject({ vendorUserId: 'u-1', deviceId: 'd-1', type: 'changed', state: { switch: 'on' } });
  });

  it('an event id seen in the last 24 hours is accepted and dropped, in a later body or the same one', async () => {
    const before = queued();
    expect(bodyOf(await harness.postEvents({ events: [event('b-1')] }))).toEqual({ queued: 1, duplicates: 0 });
    expect(bodyOf(await harness.postEvents({ events: [event('b-1'), event('b-2'), event('b-2')] }))).toEqual({ queued: 1, duplicates: 2 });
    expect(queued()).toBe(before + 2);
  });

  it('the same id from another vendor user is another event', async () => {
    const before = queued();
    await harness.postEvents({ events: [event('c-1')] });
    expect(bodyOf(await harness.postEvents({ events: [event('c-1', { userId: 'u-2' })] }))).toEqual({ queued: 1, duplicates: 0 });
    expect(queued()).toBe(before + 2);
  });
});

describe('refused, with nothing stored', () => {
  const body = JSON.stringify({ events: [event('x-1')] });
  const now = () => String(Math.floor(Date.now() / 1000));
  const cases: Array<[string, Record<string, string>, number, string]> = [
    ['no signature', { 'x-signature': '', 'x-timestamp': '' }, 401, 'X-Timestamp and X-Signature are required (docs/device-cloud.md).'],
    [
      'a timestamp that is not seconds',
      { 'x-timestamp': '2026-12-04T05:00:00Z' },
      401,
      'X-Timestamp must be the time in whole seconds since the epoch.',
    ],
    [
      'a timestamp 6 minutes old',
      { 'x-timestamp': String(Math.floor(Date.now() / 1000) - 360), 'x-signature': 'sha256=00' },
      401,
      "X-Timestamp is more than 5 minutes away from the driver's clock; sign each request when it is sent.",
    ],
    [
      'a timestamp 6 minutes ahead',
      { 'x-timestamp': String(Math.floor(Date.now() / 1000) + 360), 'x-signature': 'sha256=00' },
      401,
      "X-Timestamp is more than 5 minutes away from the driver's clock; sign each request when it is sent.",
    ],
    [
      'a signature with another secret',
      { 'x-timestamp': now(), 'x-signature': signEvents('not-the-secret', now(), body) },
      401,
      'X-Signature does not match: expected sha256=<hex HMAC-SHA256 of "<X-Timestamp>.<body>"> with the shared secret.',
    ],
  ];
  it.each(cases)('%s: 401', async (_label, headers, status, message) => {
    const before = queued();
    const result = await harness.postEvents(body, headers);
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error: 'invalid_signature', message });
    expect(queued()).toBe(before);
  });

  it('a signature over another body: 401', async () => {
    const timestamp = now();
    const result = await harness.postEvents(body, {
      'x-timestamp': timestamp,
      'x-signature': signEvents(harness.deviceEventsSecret, timestamp, `${body} `),
    });
    expect(result.statusCode).toBe(401);
  });

  const shapes: Array<[string, unknown, string]> = [
    ['not JSON', '{"events": [', 'The body is not valid JSON.'],
    ['no events', {}, 'The body is not a batch of device events: events is required.'],
    ['an empty batch', { events: [] }, 'The body is not a batch of device events: events: expected at least one event.'],
    [
      'an unknown type',
      { events: [event('s-1', { type: 'moved' })] },
      'The body is not a batch of device events: events.0.type: expected "changed" | "added" | "deleted".',
    ],
    [
      'a state v1 does not allow',
      { events: [event('s-2', { state: { brightness: 140 } })] },
      'The body is not a batch of device events: events.0.state.brightness: expected a number from 0 to 100.',
    ],
    [
      'a field the contract does not name',
      { events: [event('s-3', { when: 1 })] },
      'The body is not a batch of device events: events.0.when is not allowed.',
    ],
    [
      'an id over 256 characters',
      { events: [event('x'.repeat(257))] },
      'The body is not a batch of device events: events.0.id: expected at most 256 characters.',
    ],
    [
      'more than 1000 events',
      { events: Array.from({ length: 1001 }, (_, i) => event(`m-${i}`)) },
      'The body is not a batch of device events: events: expected at most 1000 events.',
    ],
    [
      'a timeOfSample with no zone',
      { events: [event('o-1', { timeOfSample: '2026-12-06T16:00:00' })] },
      'The body is not a batch of device events: events.0.timeOfSample: expected an ISO 8601 time with a zone, e.g. 2026-12-06T16:00:00.000Z.',
    ],
    [
      'a sequence that is not an integer',
      { events: [event('o-2', { sequence: 1.5 })] },
      'The body is not a batch of device events: events.0.sequence: expected an integer.',
    ],
    [
      'a negative sequence',
      { events: [event('o-3', { sequence: -1 })] },
      'The body is not a batch of device events: events.0.sequence: expected at least 0.',
    ],
    [
      'both timeOfSample and sequence',
      { events: [event('o-4', { sequence: 1, timeOfSample: new Date().toISOString() })] },
      'events.0: timeOfSample and sequence are both given; an event is ordered by one of them.',
    ],
    [
      'a timeOfSample more than 5 minutes from the driver’s clock',
      { events: [event('o-5', { timeOfSample: new Date(Date.now() - 301_000).toISOString() })] },
      "events.0.timeOfSample is more than 5 minutes away from the driver's clock: give the time the change happened, by a synchronised clock.",
    ],
    [
      'one device ordered by two schemes in one body',
      { events: [event('o-6', { sequence: 4 }), event('o-7')] },
      'events.1 is ordered by receipt, and an earlier event of device "d-1" in this body by sequence: one scheme per device.',
    ],
  ];
  it.each(shapes)('%s: 400', async (_label, sent, message) => {
    const before = queued();
    const result = await harness.postEvents(sent);
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toEqual({ error: 'invalid_body', message });
    expect(queued()).toBe(before);
  });

  it('a body over 256 KB: 413, before anything else is read', async () => {
    const big = JSON.stringify({ events: [event('big', { cause: 'x'.repeat(300 * 1024) })] });
    const result = await harness.postEvents(big, { 'x-signature': 'sha256=00' });
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result)).toEqual({
      error: 'too_large',
      message: `The body is ${Buffer.byteLength(big)} bytes; the limit is 262144 (256 KB). Send the events in several bodies.`,
    });
  });
});

describe('a queue that fails', () => {
  it('gets 503, stores nothing, and the same body sent again is stored once', async () => {
    const before = queued();
    const queueUrl = harness.config().EVENTS_QUEUE_URL;
    // The queue named in the settings disappears for one request: SQS answers QueueDoesNotExist.
    const config = harness.config();
    (config as { EVENTS_QUEUE_URL?: string }).EVENTS_QUEUE_URL = `${queueUrl}-gone`;
    const { deviceEventsHandler } = await import('../../functions/device-events.ts');
    const broken = deviceEventsHandler(() => config);
    const raw = JSON.stringify({ events: [event('q-1'), event('q-2')] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const { apiEvent, lambdaContext } = await import('../support/events.ts');
    const result = (await broken(
      apiEvent('POST /device-events', raw, {
        'x-timestamp': timestamp,
        'x-signature': signEvents(harness.deviceEventsSecret, timestamp, raw),
      }),
      lambdaContext,
    )) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toEqual({
      error: 'not_stored',
      message: 'The events could not be stored; none of this body is acknowledged. Send it again.',
    });
    expect(queued()).toBe(before);
    expect(bodyOf(await harness.postEvents(raw))).toEqual({ queued: 2, duplicates: 0 });
    expect(queued()).toBe(before + 2);
  });
});

// Last: it starts a driver of its own, whose close() resets the environment the ones above run in.
describe('with state reports off', () => {
  it('answers 404 saying so, whatever the body', async () => {
    const off = await startHandlers();
    try {
      const { deviceEventsHandler } = await import('../../functions/device-events.ts');
      const { apiEvent, lambdaContext } = await import('../support/events.ts');
      const result = (await deviceEventsHandler(() => off.config())(apiEvent('POST /device-events', '{}'), lambdaContext)) as {
        statusCode: number;
        body: string;
      };
      expect(result.statusCode).toBe(404);
      expect(JSON.parse(result.body)).toEqual({
        error: 'events_off',
        message: 'State reports are off: the driver takes no device events until ROKID_EVENTS_CLIENT_ID is set.',
      });
    } finally {
      await off.close();
    }
  });
});
