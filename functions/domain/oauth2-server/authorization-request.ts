/**
 * Reading an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3). The order is the RFC's: until
 * client_id and redirect_uri are known good, nothing may be sent to the redirect_uri (§4.1.2.1), so
 * those failures are a page; every later one goes back to the client as `error=` with its state.
 */
import type { BrowserAnswer } from '../linking/browser-answer.ts';
import { appendQuery } from '../linking/callback-url.ts';
import type { AuthorizationRequest } from '../ports.ts';
import type { RegisteredClient } from './registered-client.ts';

/** A request's parameters, and which of them came more than once (§3.1: none may). */
export interface OAuth2Params {
  values: Record<string, string>;
  repeated: readonly string[];
}

/** Far above any honest value; a 100 KB parameter is refused before anything is stored. */
export const MAX_PARAM_LENGTH = 2048;

const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

export type ReadRequest = { kind: 'ok'; request: AuthorizationRequest } | { kind: 'refused'; answer: BrowserAnswer };

export function readAuthorizationRequest(params: OAuth2Params, client: RegisteredClient): ReadRequest {
  const { values, repeated } = params;
  const page = (title: string, message: string): ReadRequest => ({
    kind: 'refused',
    answer: { kind: 'page', outcome: 'bad_request', title, message },
  });
  const clientId = values['client_id'];
  if (repeated.includes('client_id') || clientId === undefined || clientId !== client.clientId) {
    return page(
      'Unknown application',
      'The application that sent you here is not registered with this service, so it cannot link your account.',
    );
  }
  const sentRedirect = values['redirect_uri'];
  const onlyOne = client.redirectUris.length === 1 ? client.redirectUris[0] : undefined;
  const redirectUri = sentRedirect ?? onlyOne;
  if (repeated.includes('redirect_uri') || redirectUri === undefined || !client.redirectUris.includes(redirectUri)) {
    return page(
      'This link cannot be completed',
      'The address to return to is not one registered for this application, so your account will not be sent there.',
    );
  }

  const state = repeated.includes('state') ? undefined : values['state'];
  const refuse = (error: string, description: string): ReadRequest => ({
    kind: 'refused',
    answer: {
      kind: 'redirect',
      location: appendQuery(redirectUri, {
        error,
        error_description: description,
        ...(state === undefined || state.length > MAX_PARAM_LENGTH ? {} : { state }),
      }),
    },
  });
  const twice = repeated.find((name) => KNOWN.has(name));
  if (twice) return refuse('invalid_request', `The parameter ${twice} was sent more than once.`);
  const long = Object.entries(values).find(([, value]) => value.length > MAX_PARAM_LENGTH);
  if (long) return refuse('invalid_request', `The parameter ${long[0]} is longer than ${MAX_PARAM_LENGTH} characters.`);
  const responseType = values['response_type'];
  if (responseType === undefined) return refuse('invalid_request', 'response_type is missing; it must be code.');
  if (responseType !== 'code') return refuse('unsupported_response_type', 'Only response_type=code is supported.');

  const scope = values['scope'];
  if (scope !== undefined && client.scopes !== undefined) {
    const unknown = scope.split(' ').filter((s) => s !== '' && !client.scopes?.includes(s));
    if (unknown.length > 0) return refuse('invalid_scope', `Unknown scope: ${unknown.join(' ')}. Allowed: ${client.scopes.join(' ')}.`);
  }
  const challenge = values['code_challenge'];
  const method = values['code_challenge_method'];
  if (challenge === undefined && method !== undefined)
    return refuse('invalid_request', 'code_challenge_method was sent without code_challenge.');
  if (challenge !== undefined) {
    // RFC 7636 §4.3: no method means plain, which lets anyone who sees the request redeem the code.
    if (method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256.');
    if (!PKCE_CHALLENGE.test(challenge))
      return refuse('invalid_request', 'code_challenge must be 43 to 128 characters of [A-Za-z0-9._~-].');
  }
  return {
    kind: 'ok',
    request: {
      clientId,
      redirectUri,
      redirectUriSent: sentRedirect !== undefined,
      ...(state === undefined ? {} : { state }),
      ...(challenge === undefined ? {} : { codeChallenge: challenge }),
      ...(scope === undefined ? {} : { scope }),
    },
  };
}

const KNOWN = new Set(['response_type', 'scope', 'code_challenge', 'code_challenge_method', 'state']);
