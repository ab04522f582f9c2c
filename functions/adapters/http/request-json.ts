/**
 * One JSON request to an upstream service, on requestText: any HTTP answer, whatever its status, is
 * returned with its body parsed (undefined if not JSON); a transport failure is a TransportError.
 */
import { requestText } from './request.ts';

export { TransportError } from './request.ts';

export interface JsonRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  timeoutMs: number;
  /** A cap on the answer; over it, a TransportError. */
  maxBytes?: number;
}

export interface JsonAnswer {
  status: number;
  ok: boolean;
  body: unknown;
}

export async function requestJson(url: string, request: JsonRequest): Promise<JsonAnswer> {
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const answer = await requestText(url, {
    method: request.method,
    headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
    body: payload,
    timeoutMs: request.timeoutMs,
    ...(request.maxBytes === undefined ? {} : { maxBytes: request.maxBytes }),
  });
  return { status: answer.status, ok: answer.status >= 200 && answer.status < 300, body: parseJson(answer.body) };
}

/** The text's JSON value, or undefined when it is not JSON (a proxy's HTML page, an empty body). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
