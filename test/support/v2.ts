/** v2 messages as Rokid sends them, and JWTs as Rokid signs them (lib/stand-ins/rokid-jwt.ts, apart from the driver's verifier). */
import { randomUUID } from 'node:crypto';
import { signRokidJwt } from '../../lib/stand-ins/rokid-jwt.ts';

/** An HS256 token (or whatever `header` names), signed with `secret`, as Rokid signs one. */
export const signJwt = signRokidJwt;

export type V2Authorization = { type: 'BearerToken' | 'JWT'; token: string };

export const bearer = (token: string): V2Authorization => ({ type: 'BearerToken', token });
export const jwt = (userId: string, appId: string, secret: string): V2Authorization => ({
  type: 'JWT',
  token: signJwt({ userId, appId, iat: Math.floor(Date.now() / 1000) }, secret),
});

/** A directive as rhome 2.0.8 sends it: `payload: {}`, a fresh UUID for the messageId unless given. */
export function v2Message(
  namespace: string,
  name: string,
  authorization: V2Authorization,
  rest: { endpoint?: Record<string, unknown>; payload?: unknown; messageId?: string } = {},
) {
  const { messageId = randomUUID(), payload = {}, endpoint } = rest;
  return {
    header: { messageId, namespace, name, payloadVersion: 'v1', authorization },
    ...(endpoint ? { endpoint } : {}),
    payload,
  };
}

export const discover = (authorization: V2Authorization, messageId?: string) =>
  v2Message('Rokid.Discovery', 'Discover', authorization, messageId ? { messageId } : {});
export const control = (authorization: V2Authorization, endpointId: string, directive: string, payload: unknown = {}, messageId?: string) =>
  v2Message('Rokid.Control', directive, authorization, {
    endpoint: { endpointId, additionalInfo: {}, states: [] },
    payload,
    ...(messageId ? { messageId } : {}),
  });
export const reportState = (authorization: V2Authorization, endpointId: string) =>
  v2Message('Rokid.Query', 'ReportState', authorization, { endpoint: { endpointId, additionalInfo: {} } });
