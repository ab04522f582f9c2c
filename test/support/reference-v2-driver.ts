/**
 * A small v2 driver written for the conformance tests, apart from the driver's code: it follows the digest
 * (shared/docs/homebase-v2.md) exactly, so a v2 run against it must find nothing wrong. Each `defect` plants
 * one mistake a real v2 driver makes, which the run must report by its check's id.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { listen } from '../../lib/local/loopback.ts';

export type V2Defect =
  | 'no-version'
  | 'bad-display-type'
  | 'dotted-additional-info'
  | 'bad-time-of-sample'
  | 'stale-message-id'
  | 'accepts-bad-token'
  | 'wrong-error-name'
  | 'acts-twice'
  | 'not-persisted'
  | 'wrong-enum-state'
  | 'accepts-out-of-range'
  | 'crash-on-malformed'
  | 'non-200-errors'
  | 'accepts-unsigned-jwt'
  | 'ignores-header';

export const REFERENCE_V2_TOKEN = 'reference-v2-token';
/** Its JWT settings, and the console header it requires. */
export const REFERENCE_JWT = { appId: 'reference-app', appSecret: 'reference-secret' };
export const REFERENCE_HEADER = { 'x-skill-key': 'reference-key' };

/** The JWT's userId, if it is HS256-signed with the reference secret for the reference app (or, with the defect, unsigned). */
function jwtUser(token: string, defect: V2Defect | undefined): string | undefined {
  const [header = '', claims = '', signature = ''] = token.split('.');
  const read = (part: string) => {
    try {
      return JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const alg = read(header)['alg'];
  const signed = createHmac('sha256', REFERENCE_JWT.appSecret).update(`${header}.${claims}`).digest('base64url');
  const valid = (alg === 'HS256' && signature === signed) || (defect === 'accepts-unsigned-jwt' && alg === 'none');
  const { appId, userId } = read(claims);
  return valid && appId === REFERENCE_JWT.appId && typeof userId === 'string' ? userId : undefined;
}

const OPERATIONS: Record<string, string[]> = {
  Switch: ['On', 'Off'],
  Brightness: ['Set', 'SetMax', 'SetMin', 'Adjust'],
  Position: ['Set', 'Adjust'],
  Mode: ['Auto', 'Cool', 'Heat'],
};

export async function startReferenceV2Driver(defect?: V2Defect) {
  const state: Record<string, Record<string, unknown>> = {
    'light-1': { Switch: 'Off', Brightness: 40 },
    'curtain-1': { Position: 0 },
    'ac-1': { Switch: 'Off', Mode: 'Cool' },
  };
  const interfaces: Record<string, string[]> = {
    'light-1': ['Switch', 'Brightness'],
    'curtain-1': ['Position'],
    'ac-1': ['Switch', 'Mode'],
  };
  const kept = new Map<string, unknown>();
  const time = () => (defect === 'bad-time-of-sample' ? '20180320T00:00:00.000Z' : new Date().toISOString());
  const statesOf = (id: string) => Object.entries(state[id]!).map(([name, value]) => ({ interface: name, value, timeOfSample: time() }));
  const endpoint = (id: string, displayType: string, displayName: string) => ({
    endpointId: id,
    displayType: defect === 'bad-display-type' && id === 'curtain-1' ? 'window' : displayType,
    displayName,
    recommendRoomName: '客厅',
    ...(id === 'ac-1' ? { recommendHomeName: '我的家' } : {}),
    offline: false,
    additionalInfo: defect === 'dotted-additional-info' ? { 'mac.address': 'aa' } : { model: 'ref' },
    capabilities: interfaces[id]!.map((name) => ({
      interface: name,
      ...(defect === 'no-version' ? {} : { version: 'v1' }),
      supportedOperations: OPERATIONS[name],
      isRetrievable: true,
      retrievable: true,
      isProactivelyReported: false,
      proactivelyReported: false,
    })),
    states: statesOf(id),
  });

  const reply = (messageId: string, name: string, rest: Record<string, unknown>) => ({
    header: { namespace: 'Rokid', name, messageId: defect === 'stale-message-id' ? 'fixed-id' : messageId, payloadVersion: 'v1' },
    ...rest,
  });
  const error = (messageId: string, name: string, message: string) => ({
    status: defect === 'non-200-errors' ? 400 : 200,
    body: reply(messageId, 'ErrorResponse', { payload: { name, vendorCode: '', message, debugInfo: '' } }),
  });

  function answer(body: any, headers: IncomingHttpHeaders): { status: number; body: unknown } {
    const header = body?.header;
    const messageId = typeof header?.messageId === 'string' && header.messageId.length < 1000 ? header.messageId : crypto.randomUUID();
    if (headers['x-skill-key'] !== REFERENCE_HEADER['x-skill-key'] && defect !== 'ignores-header') {
      return error(messageId, 'E_INTERNAL_ERROR', 'the console header is missing');
    }
    if (typeof header !== 'object' || header === null) return error(messageId, 'E_INTERNAL_ERROR', 'no header');
    const token = header.authorization?.token;
    const known = header.authorization?.type === 'JWT' ? jwtUser(String(token), defect) !== undefined : token === REFERENCE_V2_TOKEN;
    if (!known && defect !== 'accepts-bad-token') return error(messageId, 'E_INVALID_AUTHORIZATION', 'unknown token');
    if (header.namespace === 'Rokid.Discovery' && header.name === 'Discover') {
      const endpoints = [endpoint('light-1', 'light', '吸顶灯'), endpoint('curtain-1', 'curtain', '窗帘'), endpoint('ac-1', 'ac', '空调')];
      return { status: 200, body: reply(messageId, 'DiscoveryResponse', { payload: { endpoints } }) };
    }
    const id = body.endpoint?.endpointId;
    if (header.namespace !== 'Rokid.Control' && header.namespace !== 'Rokid.Query')
      return error(messageId, 'E_NOT_SUPPORTED_DIRECTIVE', 'unknown');
    if (!state[id]) return error(messageId, defect === 'wrong-error-name' ? 'E_INTERNAL_ERROR' : 'E_NO_SUCH_ENDPOINT', 'no endpoint');
    if (header.namespace === 'Rokid.Query')
      return { status: 200, body: reply(messageId, 'Response', { endpoint: { endpointId: id, states: statesOf(id) }, payload: {} }) };
    const key = `${token}/${messageId}`;
    if (kept.has(key) && defect !== 'acts-twice') return { status: 200, body: kept.get(key) };
    const name = String(header.name);
    const dot = name.lastIndexOf('.');
    const [iface, op] = [name.slice(0, dot), name.slice(dot + 1)];
    if (!interfaces[id]!.includes(iface) || !OPERATIONS[iface]!.includes(op))
      return error(messageId, 'E_NOT_SUPPORTED_DIRECTIVE', 'not listed');
    const current = state[id]![iface];
    let next: unknown = op;
    if (op === 'Set') next = body.payload?.value;
    if (op === 'SetMax') next = 100;
    if (op === 'SetMin') next = 0;
    if (op === 'Adjust') next = Math.min(100, Math.max(0, Number(current) + Number(body.payload?.delta ?? 0)));
    if (op === 'Set' && (typeof next !== 'number' || next < 0 || next > 100) && defect !== 'accepts-out-of-range') {
      return error(messageId, 'E_VALUE_OUT_OF_RANGE', 'out of range');
    }
    if (defect === 'wrong-enum-state' && typeof next === 'string') next = next.toLowerCase();
    const after = { ...state[id]!, [iface]: next };
    if (defect !== 'not-persisted') state[id] = after;
    const out = reply(messageId, 'Response', {
      endpoint: { endpointId: id, states: Object.entries(after).map(([n, value]) => ({ interface: n, value, timeOfSample: time() })) },
      payload: {},
    });
    kept.set(key, out);
    return { status: 200, body: out };
  }

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      if (defect === 'crash-on-malformed') return void res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>500</h1>');
      body = undefined;
    }
    const { status, body: out } = answer(body, req.headers);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
  return listen(server);
}
