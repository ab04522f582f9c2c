/**
 * POST /command → the account-linking commands (`login`, `OAuth`, `OAuthGetToken`, `OAuthRefresh`).
 * GET /oauth/* and GET /device_oauth/* → the browser side of OAuth linking, on the same function.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { linkingServices } from './composition/linking.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { CommandRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { browserHandler, NOT_FOUND, notConfigured } from './http/browser-handler.ts';
import { homebaseHandler } from './http/homebase-handler.ts';

export function commandHandler(config: ConfigSource) {
  const services = linkingServices(config);
  const command = homebaseHandler(async (body, event) => {
    const request = parseOrThrow(CommandRequestSchema, body, '/command request');
    return services().command(request.command, request.params, { sourceIp: event.requestContext.http.sourceIp });
  });

  const browser = browserHandler(async (event) => {
    const { homebaseOAuth, deviceOAuth } = services();
    const query = event.queryStringParameters ?? {};
    const appId = event.pathParameters?.['appId'] ?? '';
    switch (event.routeKey) {
      case 'GET /oauth/start':
        return homebaseOAuth ? homebaseOAuth.start(query) : notConfigured;
      case 'GET /oauth/callback':
        return homebaseOAuth ? homebaseOAuth.callback(query) : notConfigured;
      case 'GET /device_oauth/{appId}/login':
        return deviceOAuth ? deviceOAuth.login(appId, query) : notConfigured;
      case 'GET /device_oauth/{appId}/callback':
        return deviceOAuth ? deviceOAuth.callback(appId, query) : notConfigured;
      case 'GET /device_oauth/{appId}/token':
        return deviceOAuth ? deviceOAuth.token(appId, query, event.requestContext.http.sourceIp) : notConfigured;
      default:
        return NOT_FOUND;
    }
  });

  /** The browser routes to browser answers, everything else to Homebase envelopes. */
  return (event: APIGatewayProxyEventV2, context: Context) =>
    event.requestContext.http.method === 'GET' ? browser(event, context) : command(event, context);
}

export const handler = commandHandler(fromEnvironment);
