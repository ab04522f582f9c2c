/**
 * One JSON request to an upstream service with a deadline. Adapters map the outcome onto their own
 * errors: a transport failure (no answer in time, or no connection) is thrown as TransportError;
 * any HTTP answer, whatever its status, is returned with its body parsed (undefined if not JSON).
 */

export class TransportError extends Error {
  readonly timedOut: boolean;

  constructor(timedOut: boolean, timeoutMs: number, cause: unknown) {
    super(timedOut ? `no answer within ${timeoutMs} ms` : 'connection failed', { cause });
    this.name = 'TransportError';
    this.timedOut = timedOut;
  }
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  timeoutMs: number;
}

export interface JsonAnswer {
  status: number;
  ok: boolean;
  body: unknown;
}

export async function requestJson(url: string, request: JsonRequest): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      body: request.body === undefined ? null : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    throw new TransportError(error instanceof Error && error.name === 'TimeoutError', request.timeoutMs, error);
  }
  const body: unknown = await response.json().catch(() => undefined);
  return { status: response.status, ok: response.ok, body };
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
