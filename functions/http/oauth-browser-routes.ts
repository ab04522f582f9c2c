/**
 * GET /oauth/* and GET /device_oauth/*: the browser side of OAuth linking, each route on its flow. A flow the
 * configuration does not offer answers `notConfigured`; any other GET, NOT_FOUND.
 */
import type { DeviceOAuth } from '../domain/linking/device-oauth.ts';
import type { HomebaseOAuth } from '../domain/linking/homebase-oauth.ts';
import type { OAuthCallback } from '../domain/linking/oauth-callback.ts';
import { browserHandler, NOT_FOUND, notConfigured } from './browser-handler.ts';
import { cookiesOf } from './cookies.ts';

export interface BrowserFlows {
  /** The OAuth flow's browser side; absent unless an OAuth upstream and PUBLIC_BASE_URL are configured. */
  homebaseOAuth: HomebaseOAuth | undefined;
  /** GET /oauth/callback, for the command flow and the OAuth 2.0 server alike. */
  oauthCallback: OAuthCallback | undefined;
  /** Seed 003's callback service; absent unless DEVICE_OAUTH=on. */
  deviceOAuth: DeviceOAuth | undefined;
}

/**
 * `flows` and `secure` are asked on each request, inside the handler: a bad setting thrown while building them is
 * answered as the handler's own error page, with the request logged and counted like any other failure.
 */
export function oauthBrowserRoutes(flows: () => BrowserFlows, secure: () => boolean) {
  return browserHandler(
    async (event) => {
      const { homebaseOAuth, oauthCallback, deviceOAuth } = flows();
      const query = event.queryStringParameters ?? {};
      const appId = event.pathParameters?.['appId'] ?? '';
      switch (event.routeKey) {
        case 'GET /oauth/start':
          return homebaseOAuth ? homebaseOAuth.start(query) : notConfigured;
        case 'GET /oauth/callback':
          return oauthCallback ? oauthCallback.handle(query, cookiesOf(event)) : notConfigured;
        case 'GET /device_oauth/{appId}/login':
          return deviceOAuth ? deviceOAuth.login(appId, query) : notConfigured;
        case 'GET /device_oauth/{appId}/callback':
          return deviceOAuth ? deviceOAuth.callback(appId, query) : notConfigured;
        case 'GET /device_oauth/{appId}/token':
          return deviceOAuth ? deviceOAuth.token(appId, query, event.requestContext.http.sourceIp) : notConfigured;
        default:
          return NOT_FOUND;
      }
    },
    { secure },
  );
}
