/**
 * One JSON request to an upstream service with a deadline. Adapters map the outcome onto their own
 * errors: a transport failure (no answer in time, or no connection) is thrown as TransportError;
 * any HTTP answer, whatever its status, is returned with its body parsed (undefined if not JSON).
 */
import { http, https } from '../../runtime/builtins.ts';

const httpRequest = http.request;
const httpsRequest = https.request;

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

/**
 * node:http rather than fetch: the first fetch in a process loads undici, about 40 ms that a cold
 * Lambda would add to its first answer (`npm run bench:lambda`); node:http is already loaded.
 * The deadline covers the whole exchange, body included.
 */
export function requestJson(url: string, request: JsonRequest): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let timedOut = false;
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(new TransportError(timedOut, request.timeoutMs, error));
    };
    const outgoing = send(
      target,
      {
        method: request.method,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...request.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          const status = response.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, body: parseJson(Buffer.concat(chunks).toString('utf8')) });
        });
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    outgoing.on('error', fail);
    outgoing.end(payload);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
