/**
 * `npm run bench:events`: state reports end to end, in process: the device-events webhook and the stateReports
 * consumer (the real handlers), fed by a poller that does what Lambda's event-source mapping does, on the SQS
 * stand-in, with the embedded DynamoDB in a process of its own and Rokid's stand-in as the gateway. Three goals,
 * each a ratio or a count, and the process exits 1 when one is missed:
 *
 * 1. With the gateway up, at least 99 % of events reach it within 2 s of the webhook's 202.
 * 2. Through a 15-minute gateway outage (the queue's clock runs 20 times as fast, so the backoff passes in real
 *    seconds), none of 10,000 events is lost, at most 1 % arrive twice, and no endpoint goes backwards.
 * 3. The webhook answers a body of 1,000 events at no more than 1.3 times the cost of the same durable writes
 *    done alone (the id claims, the queue's batches, the ids marked queued), measured in the same run.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readBenchArgs } from './usage.ts';

readBenchArgs(`usage: npm run bench:events

State reports end to end: the webhook's latency to Rokid's gateway (goal: 99 % within 2 s), 10,000 events through
a 15-minute gateway outage on a clock 20 times as fast (BENCH_EVENTS_SPEED) (goals: none lost, at most 1 % twice, none backwards), and
the webhook's cost for 1,000 events against the same durable writes alone (goal: at most 1.3x). Exits 1 when a
goal is missed.`);

// Before the handlers are imported: Powertools reads these at import, and a retry's INFO line per event would drown the figures.
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});

const { startDynamoDBProcess } = await import('./dynamodb-process.ts');
const { goal, settle } = await import('./goals.ts');
const { ensureTable, localClient } = await import('../../lib/local/dynamodb.ts');
const { startSqsStandIn } = await import('../../lib/stand-ins/sqs.ts');
const { startRokidStandIn } = await import('../../lib/stand-ins/rokid-events.ts');
const { startQueuePoller } = await import('../../lib/local/queue-poller.ts');
const { lambdaContext } = await import('../../lib/local/lambda-context.ts');
const { apiGatewayEvent } = await import('../../lib/local/api-gateway.ts');
const { readConfig } = await import('../../functions/config.ts');
const { deviceEventsHandler } = await import('../../functions/device-events.ts');
const { stateReportsHandler } = await import('../../functions/state-reports.ts');
const { grantServices } = await import('../../functions/composition/grants.ts');
const { tableOf } = await import('../../functions/composition/table.ts');
const { EventGrants } = await import('../../functions/domain/events/accept-grant.ts');
const { eventKeyOf, SEEN_KEEP_S } = await import('../../functions/domain/events/intake.ts');
const { eventMessageId } = await import('../../functions/domain/events/reports.ts');
const { grantKeyOf } = await import('../../functions/domain/events/grant.ts');
const { signEvents } = await import('../../functions/domain/events/signature.ts');
const { MAX_DELIVERIES } = await import('../../functions/domain/events/delivery.ts');
const { DEFAULT_CAUSE } = await import('../../functions/domain/events/device-event.ts');
const { timeOrder: orderOf } = await import('../../functions/domain/events/ordering.ts');
const { DynamoSeenEvents } = await import('../../functions/adapters/dynamodb/event-records.ts');
const { documentClient } = await import('../../functions/adapters/dynamodb/client.ts');
const { SqsQueue } = await import('../../functions/adapters/sqs/sqs-queue.ts');
const { VirtualDeviceCloud } = await import('../../functions/adapters/device-cloud/virtual/virtual-cloud.ts');
const { tempKeyFile } = await import('../support/credentials.ts');

const TABLE = 'events-bench';
const SECRET = 'bench-device-events-secret';
const dynamo = await startDynamoDBProcess();
await ensureTable(dynamo.endpoint, TABLE);
process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamo.endpoint;
const rokid = await startRokidStandIn({ accessTtlS: 24 * 3600 });
const keyFile = tempKeyFile();
const db = DynamoDBDocumentClient.from(localClient(dynamo.endpoint));
const quietMetrics = new Proxy({}, { get: () => () => undefined }) as never;

/** A world of its own per scenario: a queue (on a clock `speed` times as fast), the handlers' settings, and a poller. */
async function world(name: string, speed = 1) {
  const started = Date.now();
  const sqs = await startSqsStandIn({ now: () => started + (Date.now() - started) * speed });
  const deadLetters = sqs.createQueue(`${name}-dead-letters`);
  const queueUrl = sqs.createQueue(name, {
    visibilityTimeoutS: 360,
    redrive: { deadLetterQueue: `${name}-dead-letters`, maxReceiveCount: MAX_DELIVERIES },
  });
  process.env['AWS_ENDPOINT_URL_SQS'] = sqs.endpoint;
  const config = readConfig({
    TABLE_NAME: TABLE,
    USERCENTER_URL: 'http://127.0.0.1:9',
    CREDENTIALS_KEY_FILE: keyFile,
    ROKID_EVENTS_CLIENT_ID: rokid.clientId,
    ROKID_EVENTS_CLIENT_SECRET: rokid.clientSecret,
    ROKID_OAUTH_TOKEN_URL: rokid.tokenUrl,
    ROKID_EVENT_GATEWAY_URL: rokid.gatewayUrl,
    ROKID_EVENTS_TIMEOUT_MS: '2000',
    DEVICE_EVENTS_SECRET: SECRET,
    EVENTS_QUEUE_URL: queueUrl,
    EVENTS_DEAD_LETTER_QUEUE_URL: deadLetters,
  });
  const webhook = deviceEventsHandler(() => config);
  const simulatedMs = () => started + (Date.now() - started) * speed;
  return {
    sqs,
    config,
    simulatedMs,
    deadLetters: () => sqs.depth(`${name}-dead-letters`),
    depth: () => sqs.depth(name),
    poll: () =>
      startQueuePoller(
        stateReportsHandler(() => config),
        {
          queueUrl,
          timeoutMs: 60_000,
          concurrency: 8,
          waitTimeS: 1,
          onError: (error) => console.error('poller:', error instanceof Error ? error.message : error),
        },
      ),
    /** One signed body through the real handler, as API Gateway hands it over. */
    async post(events: Array<Record<string, unknown>>): Promise<APIGatewayProxyStructuredResultV2> {
      const raw = JSON.stringify({ events });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const event = apiGatewayEvent({
        method: 'POST',
        url: new URL('http://127.0.0.1/device-events'),
        headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signEvents(SECRET, timestamp, raw) },
        body: Buffer.from(raw),
        route: { routeKey: 'POST /device-events', pathParameters: undefined },
      });
      return (await webhook(event as never, lambdaContext(randomUUID()))) as APIGatewayProxyStructuredResultV2;
    },
  };
}

/** Vendor users with a grant each (AcceptGrant's code exchange, as deployed) and their demo homes seeded. */
async function grantedUsers(config: ReturnType<typeof readConfig>, prefix: string, count: number) {
  const { db: tableDb, cipher } = tableOf(config);
  const grants = new EventGrants({
    ...grantServices(config, tableDb, cipher),
    clock: { now: () => Math.floor(Date.now() / 1000) },
    metrics: quietMetrics,
  });
  const cloud = new VirtualDeviceCloud(db, TABLE);
  const users: Array<{ vendorUserId: string; rokidUserId: string; grantKey: string; devices: string[] }> = [];
  for (let i = 0; i < count; i++) {
    const vendorUserId = `${prefix}-${i}`;
    const rokidUserId = `rokid-${vendorUserId}`;
    await grants.accept(
      { vendorUserId },
      { grant: { type: 'OAuth2.AuthorizationCode', code: rokid.issueCode(rokidUserId), userId: rokidUserId } },
      { remainingMs: () => 3000 },
    );
    const session = { vendorUserId, credentials: async () => ({ accessToken: 'unused' }) };
    const devices = (await cloud.list(session)).filter((d) => d.actions.switch?.includes('on')).map((d) => d.deviceId);
    users.push({ vendorUserId, rokidUserId, grantKey: grantKeyOf(rokidUserId, { vendorUserId }), devices });
  }
  return users;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const accepted = () => rokid.received.filter((e) => e.status === 202);
const messageIdOfReceived = (e: (typeof rokid.received)[number]) =>
  String((e.message as { header?: { messageId?: string } }).header?.messageId);

// 1. Latency with the gateway up.
{
  const w = await world('latency');
  const users = await grantedUsers(w.config, 'latency', 20);
  const poller = w.poll();
  rokid.received.length = 0;
  const answeredAt = new Map<string, number>();
  const TOTAL = 1000;
  for (let body = 0; body < TOTAL / 10; body++) {
    const events = Array.from({ length: 10 }, (_, i) => {
      const user = users[(body * 10 + i) % users.length]!;
      const deviceId = user.devices[(body + i) % user.devices.length]!;
      return { id: `lat-${body}-${i}`, userId: user.vendorUserId, deviceId, type: 'changed', state: { switch: i % 2 ? 'on' : 'off' } };
    });
    const result = await w.post(events);
    if (result.statusCode !== 202) throw new Error(`the webhook answered ${result.statusCode}: ${result.body}`);
    const at = Date.now();
    for (const event of events) {
      const user = users.find((u) => u.vendorUserId === event.userId)!;
      answeredAt.set(eventMessageId(eventKeyOf(event.userId, event.id), user.grantKey), at);
    }
    await sleep(100); // 100 events a second
  }
  for (let waited = 0; waited < 30_000 && accepted().length < TOTAL; waited += 100) await sleep(100);
  await poller.close();
  const latencies = accepted()
    .map((e) => e.receivedAt - (answeredAt.get(messageIdOfReceived(e)) ?? Number.NaN))
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
  const within = latencies.filter((ms) => ms <= 2000).length;
  console.log(
    `latency: ${latencies.length} of ${TOTAL} events reached the gateway; median ${latencies[Math.floor(latencies.length / 2)]} ms, p99 ${latencies[Math.floor(latencies.length * 0.99) - 1]} ms, max ${latencies.at(-1)} ms`,
  );
  goal("events at the gateway within 2 s of the webhook's 202 (of 1,000, gateway up)", (100 * within) / TOTAL, 'min', 99, '%');
  await w.sqs.close();
}

// 2. A 15-minute outage, on a fast clock.
{
  const SPEED = Number(process.env['BENCH_EVENTS_SPEED'] ?? 20);
  const TOTAL = 10_000;
  const w = await world('outage', SPEED);
  const users = await grantedUsers(w.config, 'outage', 100);
  const poller = w.poll();
  rokid.received.length = 0;
  const start = w.simulatedMs();
  const minute = 60_000;
  // Down from the second simulated minute to the seventeenth.
  const outage = setInterval(() => {
    const at = w.simulatedMs() - start;
    rokid.gatewayFault = at >= 2 * minute && at < 17 * minute ? 503 : undefined;
  }, 20);
  /** Every event, by the messageId Rokid would see, with its endpoint and its place in time. */
  const sent = new Map<string, { endpoint: string; order: string }>();
  const BODY = 50;
  // Spread over 20 simulated minutes.
  const spanMs = (20 * minute) / SPEED;
  const t0 = Date.now();
  for (let body = 0; body < TOTAL / BODY; body++) {
    const due = t0 + (body * spanMs) / (TOTAL / BODY);
    if (due > Date.now()) await sleep(due - Date.now());
    const events = Array.from({ length: BODY }, (_, i) => {
      const n = body * BODY + i;
      const user = users[n % users.length]!;
      const deviceId = user.devices[Math.floor(n / users.length) % user.devices.length]!;
      return { id: `out-${n}`, userId: user.vendorUserId, deviceId, type: 'changed', state: { switch: n % 2 ? 'on' : 'off' } };
    });
    const result = await w.post(events);
    if (result.statusCode !== 202) throw new Error(`the webhook answered ${result.statusCode}: ${result.body}`);
    // The order the driver stamps: when it received the body, then the event's place in it (ordering.ts).
    const sampledAt = new Date(
      Date.parse(JSON.parse(w.sqs.bodies('outage').at(-1) ?? '{}').sampledAt ?? new Date().toISOString()),
    ).toISOString();
    events.forEach((event, i) => {
      const user = users.find((u) => u.vendorUserId === event.userId)!;
      sent.set(eventMessageId(eventKeyOf(event.userId, event.id), user.grantKey), {
        // One interface per event (Switch): ordered, and superseded, per (endpoint, interface).
        endpoint: `${user.rokidUserId}/${event.deviceId}`,
        order: orderOf(sampledAt, i),
      });
    });
  }
  // Until every event has been settled: the queue empty (the last retries come 15 simulated minutes apart).
  for (let waited = 0; waited < 120_000 && w.depth() > 0; waited += 200) await sleep(200);
  clearInterval(outage);
  await poller.close();
  const arrivals = accepted().map(messageIdOfReceived);
  const delivered = new Set(arrivals);
  const newestDelivered = new Map<string, string>();
  for (const id of delivered) {
    const event = sent.get(id);
    if (event && (newestDelivered.get(event.endpoint) ?? '') < event.order) newestDelivered.set(event.endpoint, event.order);
  }
  // Lost: neither delivered nor superseded by a newer event of its endpoint that was (which carries every current state).
  let lost = 0;
  let superseded = 0;
  for (const [id, event] of sent) {
    if (delivered.has(id)) continue;
    if ((newestDelivered.get(event.endpoint) ?? '') > event.order) superseded++;
    else lost++;
  }
  const twice = arrivals.length - delivered.size;
  let backwards = 0;
  const last = new Map<string, string>();
  for (const id of arrivals) {
    const event = sent.get(id);
    if (!event) continue;
    if ((last.get(event.endpoint) ?? '') > event.order) backwards++;
    else last.set(event.endpoint, event.order);
  }
  const refused = rokid.received.filter((e) => e.status === 503);
  const refusedEvents = new Set(refused.map(messageIdOfReceived));
  const retriedThenDelivered = [...refusedEvents].filter((id) => delivered.has(id)).length;
  console.log(
    `outage: ${TOTAL} events, ${delivered.size} delivered, ${superseded} superseded by a newer one of their endpoint, ${lost} lost, ${twice} twice, ${backwards} backwards; ${refused.length} sends refused during the outage, of ${refusedEvents.size} events (${retriedThenDelivered} of them delivered on a retry); ${w.deadLetters()} in the dead-letter queue; ${w.depth()} left in the queue`,
  );
  goal('events lost through a 15-minute gateway outage (of 10,000)', lost + w.depth() + w.deadLetters(), 'max', 0, 'events');
  goal('events delivered twice (of 10,000)', (100 * twice) / TOTAL, 'max', 1, '%');
  goal('endpoints gone backwards', backwards, 'max', 0, 'events');
  await w.sqs.close();
}

// 3. The webhook's cost against the same durable writes alone.
{
  const w = await world('cost');
  // The same client the handler uses (its connection settings are the deployed ones), so only the handler's own work differs.
  const seen = new DynamoSeenEvents(documentClient(), TABLE);
  const queue = new SqsQueue({ queueUrl: w.config.EVENTS_QUEUE_URL ?? '' });
  const bodyOf = (round: string) =>
    Array.from({ length: 1000 }, (_, i) => ({
      id: `${round}-${i}`,
      userId: `cost-${i % 50}`,
      deviceId: `d-${i % 7}`,
      type: 'changed',
      state: { switch: 'on' },
    }));
  /** What the handler stores, done directly: a claim per id, the queue's batches, each id marked queued, 64 at a time as the intake does. */
  async function writesAlone(round: string) {
    const now = Math.floor(Date.now() / 1000);
    const sampledAt = new Date().toISOString();
    const events = bodyOf(round).map((e, i) => ({
      key: eventKeyOf(e.userId, e.id),
      vendorUserId: e.userId,
      deviceId: e.deviceId,
      type: 'changed' as const,
      state: { switch: 'on' as const },
      cause: DEFAULT_CAUSE,
      sampledAt,
      order: orderOf(sampledAt, i),
    }));
    const inParallel = async (work: (i: number) => Promise<unknown>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          for (let i = next++; i < events.length; i = next++) await work(i);
        }),
      );
    };
    const claims: string[] = [];
    await inParallel(async (i) => {
      const claim = await seen.claim(events[i]!.key, now, now + 60);
      claims[i] = claim.kind === 'new' ? claim.claimId : '';
    });
    await queue.enqueue(events);
    await inParallel((i) => seen.queued(events[i]!.key, claims[i]!, now + SEEN_KEEP_S));
  }
  const handlerMs: number[] = [];
  const aloneMs: number[] = [];
  // Warm both paths first, as a warm Lambda would be.
  await w.post(bodyOf('warm-h'));
  await writesAlone('warm-a');
  const timeHandler = async (round: number) => {
    const t = performance.now();
    const result = await w.post(bodyOf(`h-${round}`));
    handlerMs.push(performance.now() - t);
    if (result.statusCode !== 202) throw new Error(`the webhook answered ${result.statusCode}`);
  };
  const timeAlone = async (round: number) => {
    const t = performance.now();
    await writesAlone(`a-${round}`);
    aloneMs.push(performance.now() - t);
  };
  // Each goes first in every other round, so neither gains from the order.
  for (let round = 0; round < 8; round++) {
    if (round % 2 === 0) {
      await timeHandler(round);
      await timeAlone(round);
    } else {
      await timeAlone(round);
      await timeHandler(round);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `webhook: 1,000 events in ${median(handlerMs).toFixed(0)} ms (median of 8); the same writes alone ${median(aloneMs).toFixed(0)} ms`,
  );
  goal(
    'the webhook answering 1,000 events, against the same durable writes alone (median of 8)',
    median(handlerMs) / median(aloneMs),
    'max',
    1.3,
  );
  await w.sqs.close();
}

db.destroy();
await rokid.close();
await dynamo.close();
settle('State reports (npm run bench:events)');
