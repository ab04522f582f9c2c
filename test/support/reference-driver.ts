/**
 * A small Homebase v1 driver written for the conformance tests: it follows the protocol digest exactly
 * and has no /command, so a conformance run against it must find nothing wrong. Each `defect` plants
 * one mistake a real driver makes, which the run must report by its check's id.
 */
import { createServer } from 'node:http';
import { listen } from '../../lib/local/loopback.ts';

export type Defect =
  | 'duplicate-id'
  | 'unknown-type'
  | 'state-key'
  | 'out-of-range'
  | 'not-persisted'
  | 'wrong-answer'
  | 'accepts-unknown-device'
  | 'accepts-bad-token'
  | 'crash-on-malformed'
  | 'crash-on-large'
  | 'bad-error-name'
  | 'empty-message'
  | 'non-200-errors';

export const REFERENCE_TOKEN = 'reference-token';

interface Device {
  deviceId: string;
  name: string;
  type: string;
  actions: Record<string, string[]>;
  state: Record<string, unknown>;
  roomName?: string;
  homeName?: string;
}

function devices(defect: Defect | undefined): Device[] {
  const light: Device = {
    deviceId: 'light-1',
    name: 'Ceiling light',
    type: defect === 'unknown-type' ? 'lamp' : 'light',
    actions: { switch: ['on', 'off'], brightness: ['up', 'down', 'max', 'min', 'num'] },
    state: { switch: 'off', brightness: defect === 'out-of-range' ? 150 : 40, ...(defect === 'state-key' ? { color: 255 } : {}) },
    roomName: 'Living room',
    homeName: 'Home',
  };
  return [
    light,
    ...(defect === 'duplicate-id' ? [{ ...light, name: 'Copy' }] : []),
    {
      deviceId: 'curtain-1',
      name: 'Curtain',
      type: 'curtain',
      actions: { switch: ['on', 'off', 'stop'], position: ['num'] },
      state: { switch: 'stop', position: 0 },
    },
    // Valid by the digest, refused by rhome v1.2.0: warnings, never failures.
    {
      deviceId: 'ac-1',
      name: 'Air conditioner',
      type: 'ac',
      actions: { switch: ['on', 'off'], mode: ['auto', 'cool', 'heat'] },
      state: { switch: 'off', mode: null },
    },
    { deviceId: 'stb-1', name: 'Set-top box', type: 'stb', actions: { switch: ['on', 'off'] }, state: { switch: 'on' } },
  ];
}

export async function startReferenceDriver(defect?: Defect): Promise<{ url: string; close(): Promise<void> }> {
  const home = devices(defect);
  const error = (errorName: string, message: string) => ({
    status: 1,
    errorName: defect === 'bad-error-name' ? 'E_NOPE' : errorName,
    message: defect === 'empty-message' ? '' : message,
  });
  const answer = (request: string, body: unknown): { code?: number; envelope: unknown } => {
    const b = body as Record<string, any>;
    if (request === '/list') {
      if (typeof b?.userAuth !== 'object' || b.userAuth === null)
        return { code: 400, envelope: error('E_DRIVER_ERROR', 'userAuth is required') };
      if (b.userAuth.userToken !== REFERENCE_TOKEN && defect !== 'accepts-bad-token')
        return { code: 401, envelope: error('E_DRIVER_SIGN_ERROR', 'Sign in again.') };
      return { envelope: { status: 0, data: home } };
    }
    if (request === '/execute') {
      const device = b?.device;
      const action = b?.action;
      if (typeof device !== 'object' || device === null || typeof action !== 'object' || action === null || Array.isArray(action)) {
        return { code: 400, envelope: error('E_DRIVER_ERROR', 'device and action are required') };
      }
      if (device.userAuth?.userToken !== REFERENCE_TOKEN && defect !== 'accepts-bad-token')
        return { code: 401, envelope: error('E_DRIVER_SIGN_ERROR', 'Sign in again.') };
      const target = home.find((d) => d.deviceId === device.deviceId);
      if (!target)
        return defect === 'accepts-unknown-device'
          ? { envelope: { status: 0, data: {} } }
          : { code: 404, envelope: error('E_DRIVER_DEVICE_NO_FOUND', 'No such device.') };
      const { property, name, value } = action;
      if (!target.actions[property]?.includes(name))
        return { code: 400, envelope: error('E_DRIVER_ERROR', `${property} ${name} is not an action of this device`) };
      const next = { ...target.state };
      const current = typeof next[property] === 'number' ? (next[property] as number) : 0;
      if (name === 'num') {
        if (typeof value !== 'number' || value < 0 || value > 100)
          return { code: 400, envelope: error('E_VALUE_OUT_OF_RANGE', 'value must be 0 to 100') };
        next[property] = value;
      } else if (name === 'up' || name === 'down') next[property] = Math.max(0, Math.min(100, current + (name === 'up' ? 10 : -10)));
      else if (name === 'max' || name === 'min') next[property] = name === 'max' ? 100 : 0;
      else next[property] = name;
      if (defect !== 'not-persisted') target.state = next;
      const answered = defect === 'wrong-answer' && property === 'switch' ? { ...next, switch: name === 'on' ? 'off' : 'on' } : next;
      return { envelope: { status: 0, data: answered } };
    }
    return { code: 404, envelope: undefined };
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = (code: number, envelope: unknown) => {
      const status = code === 200 || defect === 'non-200-errors' ? code : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(envelope));
    };
    if (req.method !== 'POST' || (req.url !== '/list' && req.url !== '/execute')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    if (raw.length > 64 * 1024) {
      if (defect === 'crash-on-large')
        return void res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
      return send(413, error('E_DRIVER_ERROR', 'The body is too large.'));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      if (defect === 'crash-on-malformed') return void res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>SyntaxError</h1>');
      return send(400, error('E_DRIVER_ERROR', 'The body is not JSON.'));
    }
    const { code = 200, envelope } = answer(req.url, body);
    send(code, envelope);
  });
  return listen(server);
}
