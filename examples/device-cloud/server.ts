/**
 * A device cloud for the Homebase driver (DEVICE_CLOUD=http), the contract of docs/device-cloud.md in plain Node:
 *   npm run example:device-cloud      (or node examples/device-cloud/server.ts: Node 24 runs TypeScript as it is)
 * ACCOUNT_URL  the account service that issued the users' tokens; a bearer token is valid when its
 *              POST /user/getUserByToken names a user (UserCenter's call; `npm start` prints the stand-in's URL)
 * SERVICE_TOKEN  the secret shared with the driver's DEVICE_CLOUD_SERVICE_TOKEN (JWT users, state reports)
 * PORT         where to listen (default 8090; 0 picks a free one). The devices live in memory, a home per user.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

type State = Record<string, string | number>;
interface Device {
  deviceId: string;
  name: string;
  type: string;
  roomName?: string;
  actions: Record<string, string[]>;
  state: State;
}

const ACCOUNT_URL = process.env['ACCOUNT_URL'] ?? 'http://127.0.0.1:8081';
const SERVICE_TOKEN = process.env['SERVICE_TOKEN'] ?? '';
const PERCENT = ['up', 'down', 'max', 'min', 'num'];

const newHome = (): Device[] => [
  {
    deviceId: 'lamp-1',
    name: 'Desk lamp',
    type: 'light',
    roomName: 'Study',
    actions: { switch: ['on', 'off'], brightness: PERCENT },
    state: { switch: 'off', brightness: 40 },
  },
  {
    deviceId: 'plug-1',
    name: 'Kettle plug',
    type: 'socket',
    roomName: 'Kitchen',
    actions: { switch: ['on', 'off'] },
    state: { switch: 'off' },
  },
];
const homes = new Map<string, Device[]>();
/** Answers to actions by Idempotency-Key: a retried request is applied once and answered again. */
const answered = new Map<string, State>();

const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** X-Homebase-User-Id: as it is, or RFC 8187's `UTF-8''` and the percent-encoded UTF-8 bytes. */
function headerUser(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (!value.startsWith("UTF-8''")) return value;
  try {
    return decodeURIComponent(value.slice(7)) || undefined;
  } catch {
    return undefined;
  }
}

/** Whose request this is: the service token naming a user, or a user's own token, asked of the account service. */
async function userOf(req: IncomingMessage): Promise<string | undefined> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return undefined;
  if (SERVICE_TOKEN !== '' && sameSecret(token, SERVICE_TOKEN)) return headerUser(req.headers['x-homebase-user-id']);
  const answer = await fetch(`${ACCOUNT_URL}/user/getUserByToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessToken: token }),
    signal: AbortSignal.timeout(2000),
  });
  const body = (await answer.json()) as { status?: number; user?: string };
  if (body.status !== 1 || typeof body.user !== 'string') return undefined;
  const user = JSON.parse(body.user) as { userId?: unknown; id?: unknown };
  const id = user.userId ?? user.id;
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

function apply(state: State, property: string, name: string, value: unknown): State {
  if (property !== 'brightness') return { ...state, [property]: name };
  const now = Number(state[property] ?? 0);
  const step = typeof value === 'number' ? value : 10;
  const next = { up: now + step, down: now - step, max: 100, min: 0, num: Number(value) }[name] ?? now;
  return { ...state, [property]: Number.isFinite(next) ? Math.min(100, Math.max(0, next)) : now };
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const refuse = (res: ServerResponse, status: number, errorName: string, message: string): void => send(res, status, { errorName, message });

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const user = await userOf(req);
  if (!user) return refuse(res, 401, 'E_DRIVER_SIGN_ERROR', 'Sign in again: the token is not valid here.');
  const home = homes.get(user) ?? newHome();
  homes.set(user, home);
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'GET' && path === '/devices') return send(res, 200, { devices: home });
  const deviceId = /^\/devices\/([^/]+)\/actions$/.exec(path)?.[1];
  if (req.method !== 'POST' || deviceId === undefined) return refuse(res, 404, 'E_DRIVER_ERROR', 'No such call.');
  const device = home.find((d) => d.deviceId === decodeURIComponent(deviceId));
  if (!device) return refuse(res, 404, 'E_DRIVER_DEVICE_NO_FOUND', 'No such device in this home.');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  const { property, name, value } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    property: string;
    name: string;
    value?: unknown;
  };
  if (!device.actions[property]?.includes(name))
    return refuse(res, 400, 'E_DRIVER_ERROR', `${deviceId} has no action ${property}.${name}.`);
  const key = `${user}\n${req.headers['idempotency-key']}`;
  const again = req.headers['idempotency-key'] ? answered.get(key) : undefined;
  if (again) return send(res, 200, { state: again });
  device.state = apply(device.state, property, name, value);
  if (req.headers['idempotency-key']) answered.set(key, device.state);
  if (answered.size > 10_000) answered.delete(answered.keys().next().value ?? '');
  send(res, 200, { state: device.state });
}

const server = createServer((req, res) => {
  route(req, res).catch(() => refuse(res, 500, 'E_DRIVER_ERROR', 'The device cloud failed; try again.'));
});
server.listen(Number(process.env['PORT'] ?? 8090), '127.0.0.1', () => {
  const address = server.address();
  console.log(`device cloud ready at http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
