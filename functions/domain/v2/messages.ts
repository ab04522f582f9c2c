/**
 * The v2 message (docs v2/message-reference.md; the digest's sections 1, 2 and 9): read tolerantly, written
 * strictly. A request is `{header, endpoint?, payload?}`; the header names the directive, carries the
 * messageId every reply echoes, and the authorization (`authentication` and type `Bearer`, the older
 * spellings, are read too). Replies are `Rokid` / `DiscoveryResponse`, `Response` or `ErrorResponse`,
 * with `payloadVersion` "v1", and never carry an authorization.
 */
import * as v from 'valibot';
import { crypto } from '../../runtime/builtins.ts';
import { describeIssue } from '../protocol/validation.ts';
import type { Endpoint } from './endpoints.ts';
import type { V2ErrorPayload } from './errors.ts';
import { V2Error } from './errors.ts';
import type { InterfaceState } from './states.ts';

const { randomUUID } = crypto;

/** Long enough for any real id, token or name; a longer field is refused before anything is done with it. */
const MAX_FIELD = 8192;
const field = v.pipe(v.string(), v.nonEmpty(), v.maxLength(MAX_FIELD, `expected at most ${MAX_FIELD} characters`));

const AuthorizationSchema = v.object({
  type: v.pipe(
    v.string(),
    v.transform((type) => (type === 'Bearer' ? 'BearerToken' : type)),
    v.picklist(['BearerToken', 'JWT']),
  ),
  token: field,
});

const HeaderSchema = v.object({
  messageId: field,
  namespace: field,
  name: field,
  payloadVersion: v.optional(v.unknown()),
  authorization: v.optional(AuthorizationSchema),
  authentication: v.optional(AuthorizationSchema),
});

const RequestEndpointSchema = v.object({
  endpointId: field,
  additionalInfo: v.optional(v.unknown()),
  states: v.optional(v.unknown()),
});

export interface V2Request {
  messageId: string;
  namespace: string;
  name: string;
  authorization: { type: 'BearerToken' | 'JWT'; token: string };
  endpoint?: { endpointId: string; additionalInfo?: unknown };
  payload: unknown;
}

/**
 * Reads a request. Throws a V2Error naming what is wrong; `messageIdOf` still finds the messageId of a
 * message whose header could be read that far, so that even an ErrorResponse echoes it.
 */
export function readRequest(body: unknown): V2Request {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new V2Error('E_INTERNAL_ERROR', 'The message is not a JSON object with a header.');
  }
  const message = body as Record<string, unknown>;
  const header = v.safeParse(HeaderSchema, message['header']);
  if (!header.success) {
    const path = v.getDotPath(header.issues[0]) ?? '';
    // An authorization that cannot be read is no authorization: v2 names that, not a broken message.
    const name = /^(authorization|authentication)(\.|$)/.test(path) ? 'E_INVALID_AUTHORIZATION' : 'E_INTERNAL_ERROR';
    // describeIssue says what was expected, never the value sent (which may be a token).
    throw new V2Error(name, `The message's header is not valid: ${describeIssue(header.issues[0], { prefix: 'header' })}.`);
  }
  const authorization = header.output.authorization ?? header.output.authentication;
  if (!authorization) throw new V2Error('E_INVALID_AUTHORIZATION', 'The message carries no header.authorization.');
  let endpoint: V2Request['endpoint'];
  if (message['endpoint'] !== undefined && message['endpoint'] !== null) {
    const read = v.safeParse(RequestEndpointSchema, message['endpoint']);
    if (!read.success) throw new V2Error('E_NO_SUCH_ENDPOINT', 'The message names no endpoint.endpointId the driver can read.');
    endpoint = read.output;
  }
  const { messageId, namespace, name } = header.output;
  return { messageId, namespace, name, authorization, ...(endpoint ? { endpoint } : {}), payload: message['payload'] ?? {} };
}

/** The messageId to echo: the request's when its header has a usable one, otherwise a new one. */
export function messageIdOf(body: unknown): string {
  const header = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['header'] : undefined;
  const id = typeof header === 'object' && header !== null ? (header as Record<string, unknown>)['messageId'] : undefined;
  return typeof id === 'string' && id !== '' && id.length <= MAX_FIELD ? id : randomUUID();
}

const replyHeader = (messageId: string, name: string, namespace = 'Rokid') => ({ namespace, name, messageId, payloadVersion: 'v1' });

export const discoveryResponse = (messageId: string, endpoints: Endpoint[]) => ({
  header: replyHeader(messageId, 'DiscoveryResponse'),
  payload: { endpoints },
});

export const stateResponse = (messageId: string, endpointId: string, states: InterfaceState[]) => ({
  header: replyHeader(messageId, 'Response'),
  endpoint: { endpointId, states },
  payload: {},
});

/** notify.md's reply (contradiction 5): the namespace is the request's, not `Rokid`. */
export const acceptGrantResponse = (messageId: string) => ({
  header: replyHeader(messageId, 'AcceptGrantResponse', 'Rokid.Authorization'),
  payload: {},
});

export const errorResponse = (messageId: string, payload: V2ErrorPayload) => ({
  header: replyHeader(messageId, 'ErrorResponse'),
  payload,
});
