/**
 * POST /command → the account-linking commands (`login`, `OAuth`, `OAuthGetToken`, `OAuthRefresh`).
 * GET /oauth/* and GET /device_oauth/* → the browser side of OAuth linking, on the same function.
 * /.well-known/oauth-authorization-server and /oauth2/* → the driver's OAuth 2.0 server.
 * All but `login` and the refresh commands load on first use, as one module (composition/oauth-linking.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { startAtInit } from './composition/at-init.ts';
import { linkingServices, oauthLinking } from './composition/linking.ts';
import { onceAsync } from './composition/once.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { CommandRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { homebaseHandler } from './http/homebase-handler.ts';
import { loadFailure } from './http/load-failure.ts';
import { isOAuth2Route } from './http/routes.ts';

/** `services`: given by the module's own handler, which starts them at init too. */
export function commandHandler(config: ConfigSource, services = linkingServices(config), loadOAuth = oauthLinking) {
  const command = homebaseHandler(async (body, event) => {
    const request = parseOrThrow(CommandRequestSchema, body, '/command request');
    return services().command(request.command, request.params, { sourceIp: event.requestContext.http.sourceIp });
  });

  // The browser routes and the OAuth 2.0 server load with the OAuth flows, on first use: a cold `login` loads none of them.
  const base = () => services().base;
  const browser = onceAsync(async () => (await loadOAuth()).oauthBrowser(base));
  const oauth2 = onceAsync(async () => (await loadOAuth()).oauth2Routes(base));

  /** The OAuth 2.0 routes to their handler, the other browser routes to browser answers, the rest to Homebase envelopes. */
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const kind = isOAuth2Route(event.routeKey) ? 'oauth2' : event.requestContext.http.method === 'GET' ? 'browser' : undefined;
    if (!kind) return command(event, context);
    let serve: Awaited<ReturnType<typeof browser>>;
    try {
      serve = await (kind === 'oauth2' ? oauth2() : browser());
    } catch (error) {
      return loadFailure(event, context, error, kind);
    }
    return serve(event, context);
  };
}

const services = linkingServices(fromEnvironment);
export const handler = commandHandler(fromEnvironment, services);
// A first sign-in's data key and secrets are asked for at init, and its UserCenter client loaded meanwhile.
startAtInit(() => services().warm());
