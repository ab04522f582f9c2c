/**
 * The vendor device cloud of the fault run (the `DEVICE_CLOUD=http` contract, docs/device-cloud.md), on
 * loopback. Each execution environment reaches it under a path of its own (`/w/<worker>`), so each call is
 * known by the invocation that made it. Actions are applied atomically per device with the demo home's
 * semantics (clamped to the range), and every action call is recorded in the order received, with its
 * Idempotency-Key: the cloud never dedupes by that key itself, so a driver that sends one message twice is
 * seen doing it. Each call meets the fault the plan draws for it: a slow answer, an error status with an
 * error body (nothing applied), a timeout with nothing applied, the action applied and then a timeout or a
 * dropped connection, or the environment killed before the action or after it was applied.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { IDEMPOTENCY_KEY_HEADER } from '../../../functions/adapters/device-cloud/http-cloud.ts';
import { demoHome } from '../../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { applyAction } from '../../../functions/adapters/device-cloud/virtual/semantics.ts';
import type { Action } from '../../../functions/domain/protocol/action.ts';
import type { Device, State } from '../../../functions/domain/protocol/device.ts';
import { serviceToken } from '../../local/device-cloud-server.ts';
import { listen } from '../../local/loopback.ts';
import { bodyOf } from '../forward.ts';
import type { LambdaPool } from '../lambda-pool.ts';
import { type ActionCall, type FaultLog, messageIdOfTag } from './history.ts';
import type { CloudFault, FaultPlan } from './plan.ts';

export interface FaultDeviceCloud {
  url: string;
  /** The base URL worker `workerId` is given as DEVICE_CLOUD_URL. */
  urlFor(workerId: number): string;
  calls: ActionCall[];
  /** Every device of every user, by id. */
  states(): Record<string, State>;
  homeOf(user: string): Device[];
  close(): Promise<void>;
}

export async function startFaultDeviceCloud(options: {
  serviceToken: string;
  users: string[];
  plan: FaultPlan;
  pool: () => LambdaPool;
  faults: FaultLog;
}): Promise<FaultDeviceCloud> {
  const authenticate = serviceToken(options.serviceToken);
  const homes = new Map(options.users.map((user) => [user, demoHome(user)]));
  const calls: ActionCall[] = [];
  let applied = 0;
  const hung = new Set<ServerResponse>();
  const hang = (res: ServerResponse) => {
    hung.add(res);
    res.on('close', () => hung.delete(res));
  };
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await bodyOf(req)).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = /^\/w\/(\d+)(\/devices(?:\/([^/]+)\/actions)?)$/.exec(url.pathname);
    if (!route) return send(res, 404, { message: 'not found' });
    const workerId = Number(route[1]);
    const worker = options.pool().worker(workerId);
    if (!worker || worker.dead) return void res.destroy();
    const user = await authenticate(req.headers.authorization, req.method ?? 'GET', url, req.headers);
    if (user === undefined) return send(res, 401, { message: 'The request is not signed with a valid token.' });
    const home = homes.get(user) ?? [];
    const tag = worker.tag;
    const callIndex = worker.calls++;
    const fault: CloudFault = tag === undefined ? { kind: 'none' } : options.plan.cloud(tag, callIndex);
    if (tag !== undefined && fault.kind !== 'none') options.faults.add(fault.kind, tag, callIndex);
    const isAction = req.method === 'POST' && route[3] !== undefined;
    const key = req.headers[IDEMPOTENCY_KEY_HEADER];
    const call: ActionCall = {
      seq: calls.length,
      deviceId: decodeURIComponent(route[3] ?? ''),
      messageId: tag === undefined ? undefined : messageIdOfTag(tag),
      key: typeof key === 'string' ? key : undefined,
      action: isAction ? JSON.parse(body) : undefined,
      applied: false,
    };
    if (isAction) calls.push(call);

    if (fault.kind === 'kill before cloud') {
      options.pool().kill(workerId);
      return void res.destroy();
    }
    if (fault.kind === 'cloud error status') return send(res, fault.status, fault.body);
    if (fault.kind === 'cloud timeout, nothing applied') return hang(res);
    if (fault.kind === 'cloud slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    // Killed while this call waited (by another of its calls): it never reached the device.
    if (worker.dead) return void res.destroy();

    let answer: unknown;
    if (isAction) {
      const device = home.find((d) => d.deviceId === call.deviceId);
      if (!device) return send(res, 404, { message: 'no such device' });
      // One synchronous step: no other call can come between the read and the write of the device.
      call.before = { ...device.state };
      device.state = applyAction(device.state, call.action as Action);
      call.after = { ...device.state };
      call.applied = true;
      call.appliedSeq = applied++;
      answer = { state: device.state };
    } else if (req.method === 'GET' && route[3] === undefined) answer = { devices: home };
    else return send(res, 404, { message: 'not found' });

    if (fault.kind === 'kill after cloud') {
      options.pool().kill(workerId);
      return void res.destroy();
    }
    if (fault.kind === 'cloud applied, then timeout') return hang(res);
    if (fault.kind === 'cloud applied, then connection dropped') return void res.destroy();
    send(res, 200, answer);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => send(res, 500, { message: 'device cloud error' }));
  });
  const bound = await listen(server);
  return {
    url: bound.url,
    urlFor: (workerId) => `${bound.url}/w/${workerId}`,
    calls,
    states: () => Object.fromEntries([...homes.values()].flat().map((device) => [device.deviceId, { ...device.state }])),
    homeOf: (user) => homes.get(user) ?? [],
    async close() {
      for (const res of hung) res.destroy();
      await bound.close();
    },
  };
}
