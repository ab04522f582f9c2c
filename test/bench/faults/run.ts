/**
 * One fault run (npm run bench:faults, and its short form in npm test): the stack synthesized with an http
 * device cloud and v2 JWT users, run on the deployed-assembly harness (lib/assembly/), its directive function
 * served by a pool of execution environments (lambda-pool.ts) whose DynamoDB and device-cloud calls go
 * through the fault stand-ins (lib/assembly/faults/). Clients send for `seconds`, then the faults stop and
 * every message still without an answer is resent; the history is checked (check.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, type Verdict } from '../../../lib/assembly/faults/check.ts';
import { startFaultDeviceCloud } from '../../../lib/assembly/faults/device-cloud.ts';
import { dynamoFaultProxy } from '../../../lib/assembly/faults/dynamodb-proxy.ts';
import { type Answer, FaultLog, type History } from '../../../lib/assembly/faults/history.ts';
import { DEFAULT_RATES, FaultPlan, type FaultRates } from '../../../lib/assembly/faults/plan.ts';
import { LambdaPool, type PoolOutcome } from '../../../lib/assembly/lambda-pool.ts';
import { startLocalCloud } from '../../../lib/assembly/local-cloud.ts';
import { synthesize } from '../../../lib/assembly/synthesize.ts';
import { failWith, readAssembly } from '../../../lib/assembly/template.ts';
import { apiGatewayEvent } from '../../../lib/local/api-gateway.ts';
import { jwt } from '../../support/v2.ts';
import { type ClientWorld, drain, runClients } from './clients.ts';
import { faultRunStandIns, JWT_SECRET, SERVICE_TOKEN } from './stand-ins.ts';

/** The deployment the run exercises, as `cdk deploy -c` would get it. */
export const FAULT_CONTEXT = {
  upstream: 'usercenter',
  usercenterUrl: 'https://usercenter.vendor.example',
  rokidJwtAppId: 'rokid-jwt-app-faults',
  deviceCloud: 'http',
  deviceCloudUrl: 'https://devices.vendor.example',
} as const;

export interface FaultRunOptions {
  seed: number;
  seconds: number;
  clients?: number;
  users?: number;
  rates?: FaultRates;
  /** A cloud assembly synthesized with FAULT_CONTEXT; synthesized into a temporary folder when not given. */
  assemblyDir?: string;
}

export interface FaultRun {
  history: History;
  verdict: Verdict;
  faults: FaultLog;
  kills: number;
  /** The driver's log lines by level (ERROR, WARN, …), over every environment. */
  logLevels: Map<string, number>;
  /** The driver's `v2_unconfirmed_answers` metric, summed over the run. */
  unconfirmedMetric: number;
  environments: number;
  sends: number;
  seconds: number;
}

const UNCONFIRMED_LINE = 'v2 answer unconfirmed';
const UNCONFIRMED_METRIC = 'v2_unconfirmed_answers';

export async function runFaults(options: FaultRunOptions): Promise<FaultRun> {
  const started = Date.now();
  const dir = options.assemblyDir ?? (await mkdtemp(join(tmpdir(), 'faults-')));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    if (!options.assemblyDir) {
      stops.push(() => rm(dir, { recursive: true, force: true }));
      await synthesize(FAULT_CONTEXT, dir);
    }
    const assembly = await readAssembly(dir);
    const standIns = await faultRunStandIns(assembly);
    stops.push(() => standIns.close());
    const cloud = await startLocalCloud({ assembly, ...standIns.cloudOptions });
    stops.push(() => cloud.close());
    const directive = cloud.functions[cloud.routes['POST /v2'] ?? ''];
    if (!directive) throw new Error('the assembly routes no function at POST /v2');

    const plan = new FaultPlan(options.seed, options.rates ?? DEFAULT_RATES);
    const faults = new FaultLog();
    const userIds = Array.from({ length: options.users ?? 3 }, (_, i) => `fault-user-${i}`);
    let pool: LambdaPool | undefined;
    const poolOf = () => pool ?? failWith('the pool is not started');
    const devices = await startFaultDeviceCloud({ serviceToken: SERVICE_TOKEN, users: userIds, plan, pool: poolOf, faults });
    stops.push(() => devices.close());
    const dynamo = dynamoFaultProxy({ target: cloud.dynamoEndpoint, plan, pool: poolOf, faults });
    stops.push(() => dynamo.close());
    pool = new LambdaPool(directive.spec, async (id) => ({
      AWS_ENDPOINT_URL_DYNAMODB: await dynamo.endpointFor(id),
      DEVICE_CLOUD_URL: devices.urlFor(id),
    }));
    const running = pool;
    stops.push(() => running.close());

    let sends = 0;
    const world: ClientWorld = {
      seed: options.seed,
      users: userIds.map((id) => {
        const home = devices.homeOf(id);
        const find = (type: string) => home.find((d) => d.type === type && d.actions.switch)?.deviceId ?? failWith(`no ${type}`);
        return { id, authorization: jwt(id, FAULT_CONTEXT.rokidJwtAppId, JWT_SECRET), light: find('light'), tv: find('tv') };
      }),
      messages: [],
      bodies: new Map(),
      async send(message, tag) {
        sends++;
        const event = apiGatewayEvent({
          method: 'POST',
          url: new URL('http://localhost/v2'),
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(message)),
          route: { routeKey: 'POST /v2', pathParameters: undefined },
        });
        return answerOf(await running.invoke(event, tag));
      },
    };
    const initial = devices.states();
    await runClients(world, options.clients ?? 6, Date.now() + options.seconds * 1000);
    plan.enabled = false;
    await drain(world, 30_000);
    const unconfirmed = pool.logs().flatMap((line) => {
      if (!line.includes(UNCONFIRMED_LINE)) return [];
      const record = JSON.parse(line) as Record<string, unknown>;
      return record['message'] === UNCONFIRMED_LINE && typeof record['messageId'] === 'string' ? [record['messageId']] : [];
    });
    const history: History = { messages: world.messages, calls: devices.calls, unconfirmed, initial, final: devices.states() };
    return {
      history,
      verdict: checkHistory(history),
      faults,
      kills: pool.kills,
      logLevels: levelsOf(pool.logs()),
      unconfirmedMetric: pool
        .metrics()
        .filter((metric) => metric.name === UNCONFIRMED_METRIC)
        .reduce((sum, metric) => sum + metric.value, 0),
      environments: pool.started,
      sends,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

function levelsOf(lines: string[]): Map<string, number> {
  const levels = new Map<string, number>();
  for (const line of lines) {
    const level = /"level":"([A-Z]+)"/.exec(line)?.[1];
    if (level) levels.set(level, (levels.get(level) ?? 0) + 1);
  }
  return levels;
}

/** The client's view of one invocation: API Gateway's status, the v2 answer's name. */
function answerOf(outcome: PoolOutcome): Answer {
  if (outcome.kind === 'killed') return { kind: 'killed' };
  if (outcome.kind === 'failed') {
    const status = outcome.error.errorType === 'Sandbox.Timedout' ? 504 : 502;
    return { kind: 'status', status, detail: `${outcome.error.errorType}: ${outcome.error.message}` };
  }
  const result = outcome.result as { statusCode?: number; body?: string };
  if (result.statusCode !== 200) return { kind: 'status', status: result.statusCode ?? 0, detail: String(result.body).slice(0, 200) };
  try {
    const reply = JSON.parse(String(result.body)) as { header?: { name?: string }; payload?: { name?: string; vendorCode?: string } };
    if (reply.header?.name === 'Response') return { kind: 'response' };
    if (reply.header?.name === 'ErrorResponse') {
      return { kind: 'error', name: String(reply.payload?.name), vendorCode: String(reply.payload?.vendorCode ?? '') };
    }
    return { kind: 'unreadable', detail: `a ${String(reply.header?.name)}` };
  } catch {
    return { kind: 'unreadable', detail: String(result.body).slice(0, 200) };
  }
}
