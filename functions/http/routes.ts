/**
 * Which function serves which API route: one table for the CDK stack and the local gateway, so the
 * two cannot disagree.
 */
export const ROUTES = {
  'POST /list': 'list',
  'POST /execute': 'execute',
  // Legacy, still called by Rokid's rhome CLI.
  'POST /get': 'execute',
  'POST /command': 'command',
  // The browser side of OAuth linking (seeds 000/001) and seed 003's callback service.
  'GET /oauth/start': 'command',
  'GET /oauth/callback': 'command',
  'GET /device_oauth/{appId}/login': 'command',
  'GET /device_oauth/{appId}/callback': 'command',
  'GET /device_oauth/{appId}/token': 'command',
  // The driver's OAuth 2.0 server (RFC 6749, 7009, 8414), with Homebase as its client.
  'GET /.well-known/oauth-authorization-server': 'command',
  'GET /oauth2/authorize': 'command',
  'POST /oauth2/authorize': 'command',
  'POST /oauth2/token': 'command',
  'POST /oauth2/revoke': 'command',
  // Every v2 message (Discovery, Control, Query): the console's 云端接口地址 is {HomebaseDriverUrl}/v2.
  'POST /v2': 'directive',
  // State reports: the http device cloud reports changes made outside Rokid (docs/device-cloud.md).
  'POST /device-events': 'deviceEvents',
} as const satisfies Record<string, ApiFunction>;

/** The functions behind the API; the others run on a schedule (refresh) or a queue (stateReports). */
export type ApiFunction = 'list' | 'execute' | 'command' | 'directive' | 'deviceEvents';

export type RouteKey = keyof typeof ROUTES;

/** The OAuth 2.0 server's routes: form posts and RFC answers, not Homebase envelopes. */
export const isOAuth2Route = (routeKey: string): boolean =>
  routeKey === 'GET /.well-known/oauth-authorization-server' || routeKey.includes(' /oauth2/');

/**
 * Routes only `npm start` serves, never deployed: the playground (`/`, its icon, `/playground/*`) and the local
 * stand-ins for Homebase's callback pages (`/local/*`). The deployed-assembly test holds the template's
 * API to ROUTES exactly, and any other route to these.
 */
export const isLocalOnlyRoute = (routeKey: string): boolean => {
  const path = routeKey.split(' ')[1] ?? '';
  return path === '/' || path === '/favicon.ico' || path.startsWith('/playground/') || path.startsWith('/local/');
};
