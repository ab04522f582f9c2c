/**
 * The answer when the module that serves a route could not be loaded (the command function's OAuth half loads on
 * first use): what its own handler would have answered to an unexpected failure, since the failure happened before
 * that handler existed. A browser gets a page, an OAuth 2.0 client RFC 6749's `server_error`; never API Gateway's
 * bare 500. Kept apart from the handlers, which load with what failed.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { countUnexpectedError, describeError, logger } from '../observability.ts';

const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

export async function loadFailure(
  event: APIGatewayProxyEventV2,
  context: Context,
  error: unknown,
  kind: 'browser' | 'oauth2',
): Promise<APIGatewayProxyStructuredResultV2> {
  await countUnexpectedError(context.functionName);
  logger.error('a route could not be served: its module did not load', { route: event.routeKey, error: describeError(error) });
  // A request id is letters, digits and hyphens: nothing in it needs escaping.
  const requestId = context.awsRequestId;
  if (kind === 'oauth2') {
    return {
      statusCode: 500,
      // RFC 6749 (5.1) asks Pragma: no-cache of a token answer too, as oauth2-handler.ts sends it.
      headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, pragma: 'no-cache' },
      body: JSON.stringify({ error: 'server_error', error_description: `The server failed unexpectedly; request id ${requestId}.` }),
    };
  }
  const message = `The account link could not be completed. Try again in the Rokid app; if it keeps failing, give the operators this request id: ${requestId}.`;
  return {
    statusCode: 500,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'", ...NO_STORE },
    body: `<!doctype html><meta charset="utf-8"><title>Something went wrong</title><h1>Something went wrong</h1><p>${message}</p>`,
  };
}
