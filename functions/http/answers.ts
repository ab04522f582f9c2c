/** What the Homebase-facing handlers, v1's and v2's, share: the body limit, an HTTP 200 JSON answer, and a clock to time it. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Homebase's bodies, v1 and v2, are a few hundred bytes; anything near this is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The body's size, or a message saying it is over the limit. */
export function oversize(event: APIGatewayProxyEventV2): string | undefined {
  if (event.body === undefined) return undefined;
  const bytes = Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return bytes > MAX_BODY_BYTES ? `The request body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} bytes (64 KiB).` : undefined;
}

/** HTTP 200 with a JSON body: Homebase's reference clients (v1 and v2 alike) treat any other status as a transport failure. */
export const jsonAnswer = (body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * Milliseconds from a monotonic clock. Not `performance.now()`: the global's first use loads perf_hooks and
 * eight internal modules, about 2 ms of every cold start.
 */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;
