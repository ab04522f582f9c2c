/**
 * A vendor device cloud that speaks the driver's `DEVICE_CLOUD=http` contract (docs/device-cloud.md),
 * for `npm start` and the tests: each user gets the demo home, kept in memory, and every request must
 * prove whose it is. `macCredentials` checks Xiaomi-style MAC signatures (a fresh nonce, within five
 * minutes, signed with the token's mac_key); `serviceToken` takes the driver's service token for a named user.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { macMatches, parseMacAuthorization } from '../../functions/adapters/device-cloud/mac-signature.ts';
import { ACTING_FOR_HEADER, decodeUserIdHeader } from '../../functions/adapters/device-cloud/user-id-header.ts';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { applyAction } from '../../functions/adapters/device-cloud/virtual/semantics.ts';
import { DeviceNotFoundError } from '../../functions/domain/errors.ts';
import { type Action, type ActionRequest, resolveAction } from '../../functions/domain/protocol/action.ts';
import type { Device } from '../../functions/domain/protocol/device.ts';
import { postDeviceEvents, type ReportedEvent } from './device-events-client.ts';
import { listen } from './loopback.ts';

/** Whose request this is, or undefined to refuse it with 401; a promise where the answer needs the account service. */
export type Authenticate = (
  authorization: string | undefined,
  method: string,
  url: URL,
  headers: IncomingHttpHeaders,
) => string | undefined | Promise<string | undefined>;

/**
 * The driver's service token (v2 JWT users, who have no upstream token): the call names its user in
 * X-Homebase-User-Id, decoded as the contract says (user-id-header.ts). The token is compared in constant time.
 */
export function serviceToken(token: string): Authenticate {
  const expected = Buffer.from(`Bearer ${token}`);
  return (authorization, _method, _url, headers) => {
    const header = headers[ACTING_FOR_HEADER];
    const user = typeof header === 'string' ? decodeUserIdHeader(header) : undefined;
    if (authorization === undefined || user === undefined) return undefined;
    const sent = Buffer.from(authorization);
    return sent.length === expected.length && timingSafeEqual(sent, expected) ? user : undefined;
  };
}

/** The first of several ways that names a user. */
export const eitherOf =
  (...ways: Authenticate[]): Authenticate =>
  async (...request) => {
    for (const way of ways) {
      const user = await way(...request);
      if (user !== undefined) return user;
    }
    return undefined;
  };

export function macCredentials(tokenInfo: (accessToken: string) => { openId: string; macKey: string } | undefined): Authenticate {
  const seen = new Set<string>();
  return (authorization, method, url) => {
    const header = parseMacAuthorization(authorization);
    const info = header && tokenInfo(header.accessToken);
    if (!header || !info) return undefined;
    const minutes = Number(header.nonce.split(':')[1]);
    if (!Number.isFinite(minutes) || Math.abs(Date.now() / 60_000 - minutes) > 5 || seen.has(header.nonce)) return undefined;
    if (!macMatches(header, info.macKey, 'HmacSha1', method, url)) return undefined;
    seen.add(header.nonce);
    return info.openId;
  };
}

export interface DeviceCloudServer {
  url: string;
  /** Requests refused for their credentials. */
  readonly refused: number;
  /** Where changes made at a device are reported (the driver's POST /device-events), and the shared secret. */
  reportTo(driverUrl: string, secret: string): void;
  /**
   * A change made at the device itself (a wall switch): applied, then reported to the driver as a `changed`
   * event with the properties that changed. Changes the driver asks for are never reported: Rokid asked for them.
   */
  changeAtDevice(user: string, deviceId: string, action: ActionRequest): Promise<{ status: number; state: Device['state'] }>;
  /** A device added to, or removed from, the user's home: reported as `added` or `deleted`. */
  addDevice(user: string, device: Device): Promise<{ status: number }>;
  removeDevice(user: string, deviceId: string): Promise<{ status: number }>;
  close(): Promise<void>;
}

export async function startDeviceCloud(options: { authenticate: Authenticate; port?: number }): Promise<DeviceCloudServer> {
  const homes = new Map<string, Device[]>();
  let refused = 0;
  const homeOf = (user: string) => {
    const home = homes.get(user) ?? demoHome(user);
    homes.set(user, home);
    return home;
  };
  const server = createServer((req, res) => {
    void route(req, res).catch(() => send(res, 500, { message: 'device cloud error' }));
  });
  const bound = await listen(server, options.port ?? 0);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const user = await options.authenticate(req.headers.authorization, req.method ?? 'GET', url, req.headers);
    if (!user) {
      refused++;
      return send(res, 401, { message: 'The request is not signed with a valid token.' });
    }
    const home = homeOf(user);
    if (req.method === 'GET' && url.pathname === '/devices') return send(res, 200, { devices: home });
    const match = /^\/devices\/([^/]+)\/actions$/.exec(url.pathname);
    if (req.method === 'POST' && match) {
      const device = home.find((d) => d.deviceId === decodeURIComponent(match[1] ?? ''));
      if (!device) return send(res, 404, { message: 'no such device' });
      device.state = applyAction(device.state, JSON.parse(await readBody(req)) as Action);
      return send(res, 200, { state: device.state });
    }
    send(res, 404, { message: 'not found' });
  }

  let reporting: { driverUrl: string; secret: string } | undefined;
  const report = async (events: ReportedEvent[]) => {
    if (!reporting) throw new Error('the device cloud reports changes once reportTo has named the driver');
    return postDeviceEvents(reporting.driverUrl, reporting.secret, events);
  };
  return {
    url: bound.url,
    get refused() {
      return refused;
    },
    reportTo(driverUrl, secret) {
      reporting = { driverUrl, secret };
    },
    async changeAtDevice(user, deviceId, action) {
      const device = homeOf(user).find((d) => d.deviceId === deviceId);
      if (!device) throw new DeviceNotFoundError(`No device "${deviceId}" in ${user}'s home.`);
      // Checked against the device model first: an action the device does not declare, or a value out of its
      // range, would leave a device the driver no longer lists.
      const checked = resolveAction(device, action);
      const before = device.state;
      device.state = applyAction(device.state, checked);
      const changed = Object.fromEntries(
        Object.entries(device.state).filter(([key, value]) => before[key as keyof typeof before] !== value),
      );
      const answer = await report([{ userId: user, deviceId, type: 'changed', state: changed }]);
      return { status: answer.status, state: device.state };
    },
    async addDevice(user, device) {
      homeOf(user).push(device);
      return report([{ userId: user, deviceId: device.deviceId, type: 'added' }]);
    },
    async removeDevice(user, deviceId) {
      const home = homeOf(user);
      homes.set(
        user,
        home.filter((d) => d.deviceId !== deviceId),
      );
      return report([{ userId: user, deviceId, type: 'deleted' }]);
    },
    close: bound.close,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
