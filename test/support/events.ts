/** API Gateway v2 events for invoking handlers in-process, built exactly as the local gateway builds them. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiGatewayEvent } from '../../lib/local/api-gateway.ts';
import { lambdaContext as contextFor } from '../../lib/local/lambda-context.ts';

export const REQUEST_ID = 'req-1';

export function apiEvent(
  routeKey: string,
  body: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): APIGatewayProxyEventV2 {
  const [method = 'POST', path = '/'] = routeKey.split(' ');
  return apiGatewayEvent({
    method,
    url: new URL(path, 'http://127.0.0.1'),
    headers,
    body: Buffer.from(body ?? ''),
    requestId: REQUEST_ID,
  });
}

export const lambdaContext = contextFor(REQUEST_ID);
