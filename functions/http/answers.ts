/** What the Homebase-facing handlers, v1's and v2's, share in answering: an HTTP 200 JSON answer, and a clock to time it. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

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
