/**
 * The HTTP side of the driver's OAuth 2.0 server: the metadata, the authorization endpoint and its
 * sign-in form, the token and revocation endpoints. These speak the RFCs' own shapes (form posts in,
 * JSON errors with RFC statuses out), not Homebase envelopes, so they have a chain of their own.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { AuthorizationServer } from '../composition/authorization-server.ts';
import type { AuthorizeAnswer } from '../domain/oauth2-server/authorization-endpoint.ts';
import type { OAuth2Params } from '../domain/oauth2-server/authorization-request.ts';
import { OAuth2Error } from '../domain/oauth2-server/oauth2-error.ts';
import { countUnexpectedError, describeError, logContext, logger, publishMetrics } from '../observability.ts';
import { crypto } from '../runtime/builtins.ts';
import { toResult } from './browser-handler.ts';
import { cookiesOf, pageCookie } from './cookies.ts';
import { languageOf, STYLE_HASH, signInPage } from './sign-in-page.ts';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** A token request is a few hundred bytes; this leaves room for any honest one and refuses a 100 KB parameter early. */
const MAX_FORM_BYTES = 16 * 1024;

const { createHash } = crypto;

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache', 'referrer-policy': 'no-referrer' };

export function oauth2Handler(server: () => AuthorizationServer | undefined) {
  return middy<Event, Result, Error, Context>()
    .use(logContext())
    .use(publishMetrics)
    .handler(async (event, context) => {
      try {
        const result = await route(server(), event);
        logger.info('request', { route: event.routeKey, status: result.statusCode });
        return result;
      } catch (error) {
        if (error instanceof OAuth2Error) {
          logger.info('request', { route: event.routeKey, status: statusOf(error), error: error.error, reason: error.message });
          return oauthError(error);
        }
        await countUnexpectedError(context.functionName);
        logger.error('OAuth 2.0 request failed unexpectedly', { route: event.routeKey, error: describeError(error) });
        return oauthError(new OAuth2Error('server_error', `The server failed unexpectedly; request id ${context.awsRequestId}.`));
      }
    });
}

async function route(server: AuthorizationServer | undefined, event: Event): Promise<Result> {
  if (!server) {
    return json(404, {
      error: 'not_configured',
      error_description: 'This driver does not run an OAuth 2.0 server (HOMEBASE_CLIENT_ID is not set). Link through /command instead.',
    });
  }
  switch (event.routeKey) {
    case 'GET /.well-known/oauth-authorization-server':
      return json(200, server.metadata);
    case 'GET /oauth2/authorize':
      return authorizeResult(event, server, await server.authorize.authorize(paramsOf(event.rawQueryString ?? '')));
    case 'POST /oauth2/authorize': {
      const form = formOf(event);
      const request = form.values['request'];
      const answer = await server.authorize.signIn({
        request,
        csrf: form.values['csrf'],
        csrfCookie: request ? cookiesOf(event)[csrfCookieName(request)] : undefined,
        deviceCookie: cookiesOf(event)[DEVICE_COOKIE],
        username: form.values['username'],
        password: form.values['password'],
        cancel: form.values['cancel'] !== undefined,
        sourceIp: event.requestContext.http.sourceIp,
      });
      return authorizeResult(event, server, answer);
    }
    case 'POST /oauth2/token':
      return json(200, await server.token.token({ ...formOf(event), authorization: event.headers['authorization'] }));
    case 'POST /oauth2/revoke':
      await server.token.revoke({ ...formOf(event), authorization: event.headers['authorization'] });
      return { statusCode: 200, headers: NO_STORE, body: '' };
    default:
      return json(404, { error: 'invalid_request', error_description: 'There is nothing at this address.' });
  }
}

function authorizeResult(event: Event, server: AuthorizationServer, answer: AuthorizeAnswer): Result {
  const secure = server.metadata.issuer.startsWith('https://');
  if (answer.kind === 'signed_in') {
    // Sent back with the next sign-in only: the browser is known, so guessing elsewhere never slows it.
    const cookie = pageCookie(DEVICE_COOKIE, answer.deviceCookie, { path: '/oauth2/authorize', maxAgeS: DEVICE_COOKIE_MAX_AGE_S, secure });
    return { ...toResult(answer.answer, { secure }), cookies: [cookie] };
  }
  if (answer.kind !== 'sign_in') return toResult(answer, { secure });
  const { form } = answer;
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // The form posts to this origin, and its answer may redirect to the client's registered address.
      'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; form-action 'self' ${server.redirectOrigins.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
      'x-content-type-options': 'nosniff',
      ...NO_STORE,
    },
    cookies: [pageCookie(csrfCookieName(form.request), form.csrf, { path: '/', maxAgeS: 600, secure })],
    body: signInPage(form, languageOf(event.headers['accept-language']), Math.floor(Date.now() / 1000)),
  };
}

/** The device cookie of sign-in throttling (functions/domain/limits/attempt-limits.ts), kept half a year. */
const DEVICE_COOKIE = 'hb_device';
const DEVICE_COOKIE_MAX_AGE_S = 180 * 24 * 3600;

/** One cookie per sign-in, so two sign-ins open at once do not overwrite each other's: named by a hash of its request. */
const csrfCookieName = (request: string) =>
  `hb_csrf_${createHash('sha256')
    .update(request)
    .digest('base64url')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 16)}`;

/** The values (first of each name) and the names sent more than once, which the RFC refuses. */
function paramsOf(text: string): OAuth2Params {
  const values: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(values, name)) repeated.add(name);
    else values[name] = value;
  }
  return { values, repeated: [...repeated] };
}

function formOf(event: Event): OAuth2Params {
  const type = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuth2Error('invalid_request', 'The request must be a form: Content-Type: application/x-www-form-urlencoded.');
  }
  const body = event.body ?? '';
  const bytes = Buffer.byteLength(body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes > MAX_FORM_BYTES)
    throw new OAuth2Error('invalid_request', `The request body is ${bytes} bytes; the limit is ${MAX_FORM_BYTES}.`);
  return paramsOf(event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
}

const statusOf = (error: OAuth2Error) =>
  error.error === 'invalid_client' ? 401 : error.error === 'server_error' ? 500 : error.error === 'temporarily_unavailable' ? 503 : 400;

function oauthError(error: OAuth2Error): Result {
  const result = json(statusOf(error), { error: error.error, error_description: error.message });
  if (error.basicChallenge) result.headers = { ...result.headers, 'www-authenticate': 'Basic realm="homebase-driver", charset="UTF-8"' };
  return result;
}

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE },
  body: JSON.stringify(body),
});
