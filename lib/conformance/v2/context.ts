/** A v2 conformance run's shared state: the driver's one URL, how to authorize, and every ErrorResponse seen. */
import { randomUUID } from 'node:crypto';
import { isRecord } from '../../../functions/domain/json.ts';
import { signRokidJwt, unsignedRokidJwt } from '../../stand-ins/rokid-jwt.ts';
import type { RunOptions } from '../context.ts';
import type { Answer, DriverClient } from '../driver-client.ts';
import type { Results } from '../results.ts';

export type V2Authorization = { type: 'BearerToken' | 'JWT'; token: string };

export interface V2Context {
  client: DriverClient;
  results: Results;
  options: RunOptions;
  /** Every ErrorResponse seen, for the check that they all follow error-response.md. */
  errors: { where: string; answer: Answer }[];
}

/** The run's authorization, as Rokid would send it: the bearer token given, or a JWT signed now. */
export function authorizationOf(options: RunOptions): V2Authorization | undefined {
  if (options.bearer !== undefined) return { type: 'BearerToken', token: options.bearer };
  if (options.jwt) {
    const { appId, appSecret, userId } = options.jwt;
    return { type: 'JWT', token: signRokidJwt({ userId, appId, iat: Math.floor(Date.now() / 1000) }, appSecret) };
  }
  return undefined;
}

/** An authorization the driver must refuse: a token it never issued, or a JWT signed with another secret. */
export function forgedAuthorization(options: RunOptions): V2Authorization {
  if (options.jwt) {
    const { appId, userId } = options.jwt;
    return { type: 'JWT', token: signRokidJwt({ userId, appId }, `not-${options.jwt.appSecret}`) };
  }
  return { type: 'BearerToken', token: 'conformance-not-a-token' };
}

/** The run's JWT unsigned, with `alg: none`: a driver that takes it checks no signature at all. */
export function unsignedJwt(options: RunOptions): V2Authorization | undefined {
  if (!options.jwt) return undefined;
  return { type: 'JWT', token: unsignedRokidJwt({ userId: options.jwt.userId, appId: options.jwt.appId }) };
}

/** A directive as rhome 2.0.8 sends it: a UUID v4 messageId, payloadVersion "v1", `payload: {}` by default. */
export function directive(
  namespace: string,
  name: string,
  authorization: V2Authorization | undefined,
  rest: { endpointId?: string; payload?: unknown; messageId?: string } = {},
) {
  const messageId: string = rest.messageId ?? randomUUID();
  return {
    header: { messageId, namespace, name, payloadVersion: 'v1', ...(authorization ? { authorization } : {}) },
    ...(rest.endpointId === undefined ? {} : { endpoint: { endpointId: rest.endpointId, additionalInfo: {}, states: [] } }),
    payload: rest.payload ?? {},
  };
}

/** Posts a message (or a raw body) to `<base>/v2`, with the console's custom headers, and notes an ErrorResponse. */
export async function send(
  context: V2Context,
  where: string,
  message: unknown,
  raw = false,
  headers: Record<string, string> = context.options.headers ?? {},
): Promise<Answer> {
  const answer = await context.client.post('/v2', message, { raw, headers });
  if (field(answer.json, 'header', 'name') === 'ErrorResponse') context.errors.push({ where, answer });
  return answer;
}

/** A field deep in a JSON value, or undefined where the path does not lead. */
export const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), value);

/** The objects of a JSON array (anything else: none). */
export const records = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** The strings of a JSON array. */
export const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** An endpoint's capabilities. */
export const capabilitiesOf = (endpoint: Record<string, unknown>) => records(endpoint['capabilities']);
