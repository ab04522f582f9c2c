/**
 * The fault run's event half (npm run bench:faults): the stack synthesized with state reports on, its webhook and
 * its queue consumer each served by a pool of execution environments (lambda-pool.ts) whose DynamoDB calls, and
 * the consumer's device-cloud reads, meet the fault plan (kills between calls included); Rokid's gateway answers
 * 5xx, 401, 403 and nothing at random. The device cloud reports changes of its lights (each with its `sequence`)
 * and of devices it does not list, resending a body until the webhook answers 202; the consumer polls the queue
 * as Lambda's mapping would, the queue's clock moved on past each backoff. Then the faults stop, the queue is
 * drained, and the history is checked (lib/assembly/faults/events-check.ts).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../functions/adapters/dynamodb/table.ts';
import { grantKeyOf } from '../../../functions/domain/events/grant.ts';
import { POSITION_LEASE_S } from '../../../functions/domain/events/grant-delivery.ts';
import { eventKeyOf } from '../../../functions/domain/events/intake.ts';
import { eventMessageId } from '../../../functions/domain/events/reports.ts';
import { signEvents } from '../../../functions/domain/events/signature.ts';
import { drainMapping, eventSourceMappings } from '../../../lib/assembly/event-source-mappings.ts';
import { startFaultDeviceCloud } from '../../../lib/assembly/faults/device-cloud.ts';
import { dynamoFaultProxy } from '../../../lib/assembly/faults/dynamodb-proxy.ts';
import { type AcceptedReport, checkEvents, type EventVerdict, type SentEvent } from '../../../lib/assembly/faults/events-check.ts';
import { FaultLog } from '../../../lib/assembly/faults/history.ts';
import { DEFAULT_RATES, FaultPlan, Rng } from '../../../lib/assembly/faults/plan.ts';
import { LambdaPool } from '../../../lib/assembly/lambda-pool.ts';
import { startLocalCloud } from '../../../lib/assembly/local-cloud.ts';
import { synthesize } from '../../../lib/assembly/synthesize.ts';
import { failWith, readAssembly, resourcesOfType } from '../../../lib/assembly/template.ts';
import { apiGatewayEvent } from '../../../lib/local/api-gateway.ts';
import { localClient } from '../../../lib/local/dynamodb.ts';
import { jwt, v2Message } from '../../support/v2.ts';
import { FAULT_CONTEXT } from './run.ts';
import { faultRunStandIns, JWT_SECRET, SERVICE_TOKEN } from './stand-ins.ts';
import { Watchdog } from './watchdog.ts';

export const EVENT_FAULT_CONTEXT = { ...FAULT_CONTEXT, rokidEventsClientId: 'rokid-events-faults' } as const;

export interface EventFaultRun {
  verdict: EventVerdict;
  faults: FaultLog;
  gatewayFaults: Map<string, number>;
  kills: number;
  bodies: number;
  webhookAnswers: Map<string, number>;
  seconds: number;
}

/**
 * The directive half's rates, but a third of its kills. The consumer delivers a batch's endpoints at once, each
 * with several DynamoDB calls, and a kill drawn by any of them ends every delivery in flight: at 1.2 % a call
 * before and after, the at-least-once duplicates (a kill between the gateway's 202 and the position's write) alone
 * passed the 1 % goal in a 60 s run (1 of 94).
 */
const EVENT_RATES = { ...DEFAULT_RATES, killBefore: DEFAULT_RATES.killBefore / 3, killAfter: DEFAULT_RATES.killAfter / 3 };
/** Nothing sent, acknowledged, delivered or drained for this long: the run has stalled, and fails saying where. */
const STALL_MS = 180_000;
const MAX_DRAIN_ROUNDS = 5000;
/** Device-cloud senders at once, each resending its body until the webhook takes it. */
const REPORTERS = 6;
const INTERFACE_OF: Record<string, string> = { switch: 'Switch', brightness: 'Brightness' };

export async function runEventFaults(options: { seed: number; seconds: number; users?: number }): Promise<EventFaultRun> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'event-faults-'));
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    await synthesize(EVENT_FAULT_CONTEXT, dir);
    const assembly = await readAssembly(dir);
    const standIns = await faultRunStandIns(assembly);
    stops.push(() => standIns.close());
    const rokid = standIns.rokid ?? failWith('state reports are off in the assembly');
    const cloud = await startLocalCloud({ assembly, ...standIns.cloudOptions });
    stops.push(() => cloud.close());
    const fn = (route: string) => cloud.functions[cloud.routes[route] ?? ''] ?? failWith(`nothing at ${route}`);
    const consumerId = Object.keys(cloud.functions).find((id) => id.startsWith('FunctionsStateReports')) ?? failWith('no consumer');
    const consumerHost = cloud.functions[consumerId]!;

    const plan = new FaultPlan(options.seed, EVENT_RATES);
    const faults = new FaultLog();
    const users = Array.from({ length: options.users ?? 10 }, (_, i) => `event-user-${i}`);
    let consumer: LambdaPool | undefined;
    let webhook: LambdaPool | undefined;
    const devices = await startFaultDeviceCloud({
      serviceToken: SERVICE_TOKEN,
      users,
      plan,
      pool: () => consumer ?? failWith('no consumer pool'),
      faults,
    });
    stops.push(() => devices.close());
    const poolWith = (host: typeof consumerHost, of: () => LambdaPool, extra: (id: number) => Record<string, string>) => {
      const proxy = dynamoFaultProxy({ target: cloud.dynamoEndpoint, plan, pool: of, faults });
      // KMS unwraps the grants' sealed tokens: it fails, slows down and loses answers as DynamoDB does.
      const kmsTarget = String(host.spec.environment['AWS_ENDPOINT_URL_KMS'] ?? failWith('no KMS endpoint'));
      const kms = dynamoFaultProxy({ target: kmsTarget, plan, pool: of, faults, service: 'kms' });
      stops.push(
        () => proxy.close(),
        () => kms.close(),
      );
      const pool = new LambdaPool(host.spec, async (id) => ({
        AWS_ENDPOINT_URL_DYNAMODB: await proxy.endpointFor(id),
        AWS_ENDPOINT_URL_KMS: await kms.endpointFor(id),
        ...extra(id),
      }));
      stops.push(() => pool.close());
      return pool;
    };
    consumer = poolWith(
      consumerHost,
      () => consumer!,
      (id) => ({ DEVICE_CLOUD_URL: devices.urlFor(id) }),
    );
    webhook = poolWith(
      fn('POST /device-events'),
      () => webhook!,
      () => ({}),
    );

    // Each user binds the skill: a grant from a code, accepted with no fault.
    for (const user of users) {
      const message = v2Message('Rokid.Authorization', 'AcceptGrant', jwt(user, EVENT_FAULT_CONTEXT.rokidJwtAppId, JWT_SECRET), {
        payload: { grant: { type: 'OAuth2.AuthorizationCode', code: rokid.issueCode(`rokid-${user}`), userId: `rokid-${user}` } },
      });
      const answer = (await fn('POST /v2').invoke(v2Event(message))) as { body?: string };
      if (!String(answer.body).includes('AcceptGrantResponse')) throw new Error(`AcceptGrant failed: ${answer.body}`);
    }

    const gatewayFaults = new Map<string, number>();
    let faulting = true;
    const gatewayRng = new Rng(options.seed, 'gateway');
    rokid.gatewayRule = () => {
      gatewayFaults.set('sends', (gatewayFaults.get('sends') ?? 0) + 1);
      if (!faulting) return undefined;
      const u = gatewayRng.next();
      const fault = u < 0.06 ? 503 : u < 0.08 ? 401 : u < 0.1 ? 403 : u < 0.11 ? ('hang' as const) : undefined;
      if (fault !== undefined) gatewayFaults.set(String(fault), (gatewayFaults.get(String(fault)) ?? 0) + 1);
      return fault;
    };

    const secret = standIns.secret('DEVICE_EVENTS_SECRET_ARN') ?? failWith('no device-events secret');
    const webhookAnswers = new Map<string, number>();
    const sent: SentEvent[] = [];
    const sequence = new Map<string, number>();
    let bodies = 0;
    let tags = 0;
    const post = async (events: Array<Record<string, unknown>>) => {
      const raw = JSON.stringify({ events });
      for (;;) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const outcome = await webhook!.invoke(
          apiGatewayEvent({
            method: 'POST',
            url: new URL('http://localhost/device-events'),
            headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signEvents(secret, timestamp, raw) },
            body: Buffer.from(raw),
            route: { routeKey: 'POST /device-events', pathParameters: undefined },
          }),
          `body-${bodies}#${tags++}`,
        );
        const status = outcome.kind === 'answered' ? String((outcome.result as { statusCode?: number }).statusCode) : outcome.kind;
        webhookAnswers.set(status, (webhookAnswers.get(status) ?? 0) + 1);
        if (status === '202') return;
        // 409, 503, killed, timed out: the device cloud sends the body again shortly, as the contract asks.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    // Each reporter draws from a stream of its own: what it sends does not depend on how the others interleave.
    const reporter = async (deadline: number, index: number) => {
      const rng = new Rng(options.seed, 'events', index);
      for (let n = 0; Date.now() < deadline; n++) {
        const events = Array.from({ length: rng.int(1, 4) }, (_, i) => {
          const user = rng.pick(users);
          const ghost = rng.next() < 0.05;
          const deviceId = ghost ? `ghost-${rng.int(1, 3)}` : (devices.homeOf(user).find((d) => d.type === 'light')?.deviceId ?? '');
          const endpoint = `${user}/${deviceId}`;
          const seq = (sequence.get(endpoint) ?? 0) + 1;
          sequence.set(endpoint, seq);
          const property = rng.pick(['switch', 'brightness']);
          const state = property === 'switch' ? { switch: rng.pick(['on', 'off']) } : { brightness: rng.int(0, 100) };
          return {
            id: `e-${index}-${n}-${i}`,
            userId: user,
            deviceId,
            type: 'changed',
            state,
            sequence: seq,
            endpoint,
            ghost,
            property,
          };
        });
        await post(events.map(({ endpoint: _e, ghost: _g, property: _p, ...event }) => event));
        bodies++;
        for (const event of events) {
          sent.push({
            messageId: eventMessageId(
              eventKeyOf(event.userId, event.id),
              grantKeyOf(`rokid-${event.userId}`, { vendorUserId: event.userId }),
            ),
            endpoint: event.endpoint,
            grant: event.userId,
            sequence: event.sequence,
            interfaces: [INTERFACE_OF[event.property]!],
            ghost: event.ghost,
          });
        }
      }
    };

    // The template's mapping, as Lambda polls it, each batch to the consumer pool: a killed or failed batch comes back.
    const mapping = eventSourceMappings(cloud.assembly, cloud.physical).find((m) => m.functionId === consumerId) ?? failWith('no mapping');
    const sqsEndpoint = String(consumerHost.spec.environment['AWS_ENDPOINT_URL_SQS'] ?? failWith('no SQS endpoint'));
    const queueName = mapping.queueUrl.split('/').pop() ?? '';
    let batches = 0;
    const drainOnce = () =>
      drainMapping(mapping, sqsEndpoint, async (event) => {
        const outcome = await consumer!.invoke(event, `batch-${batches++}#0`);
        if (outcome.kind !== 'answered') throw new Error(outcome.kind);
        return outcome.result;
      });
    // While faults run, the queue keeps real time: the driver's leases (an endpoint held by a killed delivery) do.
    const polling = async (until: () => boolean) => {
      while (!until()) if ((await drainOnce()) === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    };

    const deadline = Date.now() + options.seconds * 1000;
    let reporting = true;
    let phase = 'faults';
    // The faults stop at the deadline, whatever is in flight: a body being resent then meets none, and its 409 ends
    // with the claim a killed invocation left (60 s), so the device cloud is done soon after.
    let stoppedAt = Number.POSITIVE_INFINITY;
    const stopFaults = setTimeout(() => {
      plan.enabled = false;
      faulting = false;
      stoppedAt = Date.now();
      phase = 'the device cloud finishing its last bodies';
    }, options.seconds * 1000);
    stops.push(async () => clearTimeout(stopFaults));
    const fingerprint = () => `${bodies}/${sent.length}/${rokid.accepted().length}/${batches}/${cloud.sqs.depth(queueName)}/${phase}`;
    const watchdog = new Watchdog(STALL_MS, fingerprint, () =>
      [
        `phase: ${phase}`,
        `bodies ${bodies}, events acknowledged ${sent.length}, reports accepted ${rokid.accepted().length}`,
        `queue depth ${cloud.sqs.depth(queueName)}, batches ${batches}, webhook answers ${[...webhookAnswers].map(([k, n]) => `${k} ${n}`).join(', ')}`,
      ].join('; '),
    );
    stops.push(async () => watchdog.stop());
    await watchdog.guard(async () => {
      await Promise.all([
        Promise.all(Array.from({ length: REPORTERS }, (_, index) => reporter(deadline, index))).then(() => {
          reporting = false;
        }),
        polling(() => !reporting),
        polling(() => !reporting),
      ]);
      phase = 'waiting for the leases of killed invocations to lapse';
      // A lease a killed invocation left lapses 30 s after it was taken, in real time (the driver's clock): only
      // then may the queue's clock run ahead, or each redelivery would find the endpoint busy and burn a receive.
      const lapse = stoppedAt + (POSITION_LEASE_S + 1) * 1000 - Date.now();
      if (lapse > 0) await polling(() => Date.now() >= stoppedAt + (POSITION_LEASE_S + 1) * 1000);
      phase = 'draining the queue, its clock moved on past each backoff';
      // One poller from here on, and no faults: no delivery can find its endpoint held, so moving the queue's clock
      // on is safe; each step makes the next backoff (or a killed batch's visibility timeout) pass.
      for (let rounds = 0; cloud.sqs.depth(queueName) > 0; rounds++) {
        if (rounds >= MAX_DRAIN_ROUNDS)
          throw new Error(`the queue still holds ${cloud.sqs.depth(queueName)} events after ${rounds} drain rounds`);
        if ((await drainOnce()) === 0) cloud.advanceQueues(30_000);
      }
    });

    const accepted: AcceptedReport[] = rokid.accepted().map((received) => {
      const message = received.message as {
        header: { messageId: string; name: string };
        endpoint?: AcceptedReport['endpoint'];
        payload?: { change?: { states?: AcceptedReport['change'] } };
      };
      return {
        messageId: message.header.messageId,
        name: message.header.name,
        ...(message.endpoint ? { endpoint: message.endpoint } : {}),
        ...(message.payload?.change?.states ? { change: message.payload.change.states } : {}),
      };
    });
    // A grant a confirmed 403 ended (a 403 to a freshly refreshed token) takes its user's undelivered events with it.
    const db = DynamoDBDocumentClient.from(localClient(cloud.dynamoEndpoint));
    const ended = new Set<string>();
    for (const user of users) {
      const key = grantKeyOf(`rokid-${user}`, { vendorUserId: user });
      const { Item } = await db.send(new GetCommand({ TableName: cloud.tableName, Key: keys.grant(key), ConsistentRead: true }));
      if (Item?.['status'] !== 'active') ended.add(user);
    }
    const verdict = checkEvents(sent, accepted, ended);
    if (cloud.sqs.depth(queueName) > 0) verdict.violations.push(`${cloud.sqs.depth(queueName)} events left in the queue`);
    const deadLetters = resourcesOfType(assembly, 'AWS::SQS::Queue')
      .map(([id]) => cloud.physical(id).split('/').pop() ?? '')
      .filter((name) => name !== queueName)
      .reduce((sum, name) => sum + cloud.sqs.depth(name), 0);
    if (deadLetters > 0) verdict.violations.push(`${deadLetters} events set aside in a dead-letter queue (${whyRetried(consumer.logs())})`);
    return {
      verdict,
      faults,
      gatewayFaults,
      kills: consumer.kills + webhook.kills,
      bodies,
      webhookAnswers,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** The reasons the consumer gave for each retry of the messages retried most: why one ran out of receives. */
function whyRetried(logs: string[]): string {
  const byMessage = new Map<string, string[]>();
  for (const line of logs) {
    if (!line.includes('An event is tried again later')) continue;
    try {
      const { messageId, attempt, reason } = JSON.parse(line) as { messageId: string; attempt: number; reason: string };
      byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), `${attempt}: ${reason}`]);
    } catch {}
  }
  const most = [...byMessage].sort(([, a], [, b]) => b.length - a.length).slice(0, 2);
  return most.map(([id, reasons]) => `${id} retried ${reasons.length} times: ${reasons.join('; ')}`).join(' | ') || 'no retry logged';
}

function v2Event(message: unknown) {
  return apiGatewayEvent({
    method: 'POST',
    url: new URL('http://localhost/v2'),
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(message)),
    route: { routeKey: 'POST /v2', pathParameters: undefined },
  });
}
