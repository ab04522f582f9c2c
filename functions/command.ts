/**
 * POST /command → the account-linking commands (`login`, `OAuth`, `OAuthGetToken`, `OAuthRefresh`).
 * GET /oauth/* and GET /device_oauth/* → the browser side of OAuth linking, on the same function.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { driver } from './container.ts';
import { CommandRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { browserHandler, notConfigured } from './http/browser-handler.ts';
import { homebaseHandler } from './http/homebase-handler.ts';

const command = homebaseHandler(async (body) => {
  const request = parseOrThrow(CommandRequestSchema, body, '/command request');
  return driver().command(request.command, request.params);
});

const browser = browserHandler(async (event) => {
  const { linking } = driver();
  if (!linking) return notConfigured;
  const query = event.queryStringParameters ?? {};
  const appId = event.pathParameters?.['appId'] ?? '';
  switch (event.routeKey) {
    case 'GET /oauth/start':
      return linking.start(query);
    case 'GET /oauth/callback':
      return linking.callback(query);
    case 'GET /device_oauth/{appId}/login':
      return linking.deviceLogin(appId, query);
    case 'GET /device_oauth/{appId}/callback':
      return linking.deviceCallback(appId, query);
    case 'GET /device_oauth/{appId}/token':
      return linking.deviceToken(appId, query);
    default:
      return { kind: 'page', status: 404, title: 'Not found', message: 'There is nothing at this address.' };
  }
});

/** The browser routes to browser answers, everything else to Homebase envelopes. */
export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  event.requestContext.http.method === 'GET' ? browser(event, context) : command(event, context);
