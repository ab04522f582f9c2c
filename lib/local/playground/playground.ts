/**
 * The playground at `/` under `npm start` (PLAYGROUND=on, the local default; the deployed stack has no
 * such route): one page that signs in as Homebase would, shows the demo home grouped by home and room,
 * controls each device and shows every request and answer of the protocol, v1's or v2's (a switch on the page;
 * a JWT sign-in for a vendor user is v2's alone).
 *
 * Its script and stylesheet are inline, allowed by hash in a Content-Security-Policy of its own; the
 * browser routes keep `default-src 'none'`. On the standard OAuth 2.0 path the page is the client's
 * redirect URI, and its token requests go through `POST /playground/oauth2-token`, so the client
 * secret stays in this process, as it would stay on Homebase's servers.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ConfigInput } from '../../../functions/config.ts';
import { DeviceNotFoundError, HomebaseError } from '../../../functions/domain/errors.ts';
import { parseOrThrow } from '../../../functions/domain/protocol/validation.ts';
import type { RokidStandIn } from '../../stand-ins/rokid-events.ts';
import { signRokidJwt } from '../../stand-ins/rokid-jwt.ts';
import { type AtDeviceContext, AtDeviceSchema, changeAtDevice, changesAtDevice } from './at-device.ts';
import { CSP, FAVICON, html } from './page.ts';

/** What state reports' steps need once `npm start` has started them: Rokid's stand-in, and a way to report a change. */
export interface PlaygroundEvents extends AtDeviceContext {
  rokid: RokidStandIn;
}

type Result = APIGatewayProxyStructuredResultV2;

/** The page's own address: the OAuth 2.0 client's redirect URI on the playground's path. */
export const playgroundRedirectUri = (baseUrl: string) => `${baseUrl}/`;

export function playgroundRoutes(
  settings: ConfigInput,
  events: () => PlaygroundEvents | undefined = () => undefined,
  /** Why JWT authorization is off, when it is: what turns it on. */
  jwtOff: () => string | undefined = () => undefined,
) {
  const page = async (): Promise<Result> => ({
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: html({
      clientId: settings.HOMEBASE_CLIENT_ID ?? '',
      redirectUri: playgroundRedirectUri(settings.PUBLIC_BASE_URL ?? ''),
      stateReports: events() !== undefined,
      atTheWall: events() !== undefined && changesAtDevice(events()!),
    }),
  });

  const EVENTS_OFF =
    'State reports need the local stand-in for Rokid: npm start runs it unless LOCAL_EVENTS=off or ROKID_EVENTS_CLIENT_ID names a real Rokid.';

  /** The code Rokid would mint when the person binds the skill with 上报设备状态 on; the page then sends AcceptGrant, as Rokid does. */
  const grantCode = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const local = events();
    if (!local) return json(409, { message: EVENTS_OFF });
    const userId = bodyObject(event.body)?.['userId'];
    if (typeof userId !== 'string' || !/^[\w.-]{1,64}$/.test(userId)) {
      return json(400, { message: 'userId must be the Rokid user id to grant for: 1 to 64 letters, digits, ".", "_" or "-".' });
    }
    return json(200, { code: local.rokid.issueCode(userId), userId });
  };

  /** What Rokid's gateway stand-in received, oldest first, the tokens masked. */
  const receivedEvents = async (): Promise<Result> => {
    const local = events();
    if (!local) return json(409, { message: EVENTS_OFF });
    return json(200, { events: local.rokid.received.slice(-50) });
  };

  /** A change made at the device itself, reported to POST /device-events as a device cloud would. */
  const atDevice = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const local = events();
    if (!local) return json(409, { message: EVENTS_OFF });
    if (!changesAtDevice(local)) {
      return json(409, { message: 'The device cloud is not the local one: change the device in it, and it reports to the driver.' });
    }
    try {
      const request = parseOrThrow(AtDeviceSchema, bodyObject(event.body), 'request', { root: 'the body (a JSON object)' });
      return json(200, await changeAtDevice(local, request));
    } catch (error) {
      if (error instanceof DeviceNotFoundError) return json(404, { message: `${error.errorName}: ${error.message}` });
      if (error instanceof HomebaseError) return json(400, { message: `${error.errorName}: ${error.message}` });
      throw error;
    }
  };

  /** Homebase's side of the token request: the client authenticates with its secret, which the page never sees. */
  const token = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const fields = bodyObject(event.body);
    if (!fields) return json(400, { error: 'invalid_request', error_description: 'The body is not a JSON object.' });
    const form = new URLSearchParams();
    for (const name of ['grant_type', 'code', 'code_verifier', 'refresh_token']) {
      const value = fields[name];
      if (typeof value === 'string') form.set(name, value);
    }
    if (form.get('grant_type') === 'authorization_code') form.set('redirect_uri', playgroundRedirectUri(settings.PUBLIC_BASE_URL ?? ''));
    return asHomebase('/oauth2/token', form);
  };

  /**
   * Signing out revokes the link, as Homebase does when a person unlinks: v1 has no command for it, so the
   * page asks here, and this route revokes the token at the OAuth 2.0 server (RFC 7009) with the client's
   * credentials, which stay in this process. Any link's token will do, however it was made.
   */
  const signOut = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const fields = bodyObject(event.body);
    if (!fields) return json(400, { error: 'invalid_request', error_description: 'The body is not a JSON object.' });
    if (typeof fields['token'] !== 'string' || fields['token'] === '') {
      return json(400, { error: 'invalid_request', error_description: 'token is missing: the userToken to sign out.' });
    }
    return asHomebase('/oauth2/revoke', new URLSearchParams({ token: fields['token'] }));
  };

  /** A form post to the OAuth 2.0 server, authenticated as the local client, as Homebase's servers post it. */
  async function asHomebase(path: string, form: URLSearchParams): Promise<Result> {
    const basic = Buffer.from(
      `${encodeURIComponent(settings.HOMEBASE_CLIENT_ID ?? '')}:${encodeURIComponent(settings.HOMEBASE_CLIENT_SECRET ?? '')}`,
    ).toString('base64');
    const response = await fetch(`${settings.PUBLIC_BASE_URL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: form,
    });
    const text = await response.text();
    // RFC 7009 answers an empty 200: the page shows it as an object all the same.
    return json(response.status, text === '' ? { revoked: response.ok } : JSON.parse(text));
  }

  /**
   * v2's JWT sign-in: the page asks for a vendor user, and this route signs `{userId, appId}` with the appSecret,
   * HS256, as Rokid's server would. The secret stays in this process.
   */
  const jwt = async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const userId = bodyObject(event.body)?.['userId'];
    const { ROKID_JWT_APP_ID: appId, ROKID_JWT_APP_SECRET: secret } = settings;
    if (!appId || !secret) {
      return json(409, { message: `JWT authorization is off: ${jwtOff() ?? 'set ROKID_JWT_APP_ID and ROKID_JWT_APP_SECRET'}.` });
    }
    if (typeof userId !== 'string' || userId === '' || userId.length > 128) {
      return json(400, { message: 'userId must be a vendor user id of 1 to 128 characters.' });
    }
    return json(200, { token: signRokidJwt({ userId, appId, iat: Math.floor(Date.now() / 1000) }, secret) });
  };

  const favicon = async (): Promise<Result> => ({
    statusCode: 200,
    headers: { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' },
    body: FAVICON,
  });

  const routes = {
    'GET /': page,
    'GET /favicon.ico': favicon,
    'POST /playground/oauth2-token': token,
    'POST /playground/sign-out': signOut,
    'POST /playground/jwt': jwt,
    'POST /playground/state-reports/grant': grantCode,
    'GET /playground/state-reports/events': receivedEvents,
    'POST /playground/at-device': atDevice,
  };
  return Object.fromEntries(Object.entries(routes).map(([routeKey, route]) => [routeKey, answering(routeKey, route)]));
}

/** A failure no route foresaw still reaches the page as its message, never as a bare 500. */
const answering =
  (routeKey: string, route: (event: APIGatewayProxyEventV2) => Promise<Result>) =>
  async (event: APIGatewayProxyEventV2): Promise<Result> => {
    try {
      return await route(event);
    } catch (error) {
      return json(500, { message: `${routeKey} failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

/** A JSON body that is an object, or undefined. */
function bodyObject(body: string | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body ?? '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const json = (statusCode: number, body: unknown): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});
