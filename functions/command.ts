/**
 * POST /command → the account-linking commands (`login`, `OAuth`, `OAuthGetToken`, `OAuthRefresh`).
 * GET /oauth/* and GET /device_oauth/* → the browser side of OAuth linking, on the same function.
 * /.well-known/oauth-authorization-server and /oauth2/* → the driver's OAuth 2.0 server, loaded on first use.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { startAtInit } from './composition/at-init.ts';
import { linkingServices } from './composition/linking.ts';
import { onceAsync } from './composition/once.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { CommandRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { browserHandler, NOT_FOUND, notConfigured } from './http/browser-handler.ts';
import { cookiesOf } from './http/cookies.ts';
import { homebaseHandler } from './http/homebase-handler.ts';
import { isOAuth2Route } from './http/routes.ts';

/** `services`: given by the module's own handler, which starts them at init too. */
export function commandHandler(config: ConfigSource, services = linkingServices(config)) {
  const command = homebaseHandler(async (body, event) => {
    const request = parseOrThrow(CommandRequestSchema, body, '/command request');
    return services().command(request.command, request.params, { sourceIp: event.requestContext.http.sourceIp });
  });

  const browser = browserHandler(
    async (event) => {
      const { homebaseOAuth, oauthCallback, deviceOAuth } = services();
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
    { secure: () => (services().shared.config.PUBLIC_BASE_URL ?? '').startsWith('https://') },
  );

  // The OAuth 2.0 server is a chunk of its own: a cold /command never loads it.
  const oauth2 = onceAsync(async () => {
    const [{ oauth2Handler }, { authorizationServer }] = await Promise.all([
      import('./http/oauth2-handler.ts'),
      import('./composition/authorization-server.ts'),
    ]);
    return oauth2Handler(() => authorizationServer(services().shared));
  });

  /** The OAuth 2.0 routes to their handler, the other browser routes to browser answers, the rest to Homebase envelopes. */
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    if (isOAuth2Route(event.routeKey)) return (await oauth2())(event, context);
    return event.requestContext.http.method === 'GET' ? browser(event, context) : command(event, context);
  };
}

const services = linkingServices(fromEnvironment);
export const handler = commandHandler(fromEnvironment, services);
// A first sign-in's data key and secrets are asked for at init, and its UserCenter client loaded meanwhile.
startAtInit(() => services().warm());
