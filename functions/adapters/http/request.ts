/**
 * One HTTP request to an upstream with a deadline and a cap on the answer's size, on node:http.
 *
 * node:http rather than fetch: the first fetch in a process loads undici, about 40 ms that a cold
 * Lambda would add to its first answer; node:http is already loaded. The deadline covers the whole
 * exchange, body included. A transport failure (no answer in time, no connection, an answer over the
 * cap) is thrown as TransportError; any HTTP answer, whatever its status, is returned.
 */
import { http, https } from '../../runtime/builtins.ts';

const httpRequest = http.request;
const httpsRequest = https.request;

/** More than any answer the driver expects; a larger one is cut off, never buffered whole. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * The cap for answers whose fields the driver stores (token responses): whatever an account service
 * sends must fit in a link, well inside DynamoDB's 400 KB item.
 */
export const MAX_STORED_ANSWER_BYTES = 64 * 1024;

export class TransportError extends Error {
  readonly timedOut: boolean;
  /** An answer over the cap is one the caller cannot read, not an outage. */
  readonly tooLarge: boolean;
  /** The request had gone out whole before it failed: the server may have acted on it. */
  readonly sent: boolean;

  constructor(
    kind: 'timeout' | 'connection' | 'too_large',
    detail: { timeoutMs: number; maxBytes: number },
    cause?: unknown,
    sent = false,
  ) {
    super(
      kind === 'timeout'
        ? `no answer within ${detail.timeoutMs} ms`
        : kind === 'too_large'
          ? `the answer is larger than ${detail.maxBytes} bytes`
          : 'connection failed',
      { cause },
    );
    this.name = 'TransportError';
    this.timedOut = kind === 'timeout';
    this.tooLarge = kind === 'too_large';
    this.sent = sent;
  }
}

export interface TextRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
  maxBytes?: number;
  /** Aborts the request early, as a caller's AbortSignal does. */
  signal?: AbortSignal | undefined;
}

export interface TextAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function requestText(url: string, request: TextRequest): Promise<TextAnswer> {
  const maxBytes = request.maxBytes ?? MAX_ANSWER_BYTES;
  const detail = { timeoutMs: request.timeoutMs, maxBytes };
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let failure: 'timeout' | 'connection' | 'too_large' = 'connection';
    let sent = false;
    const fail = (error: unknown) => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      reject(new TransportError(failure, detail, error, sent));
    };
    const outgoing = send(
      target,
      {
        method: request.method,
        headers: {
          ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
          ...request.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            failure = 'too_large';
            outgoing.destroy(new Error('answer too large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    const timer = setTimeout(() => {
      failure = 'timeout';
      outgoing.destroy(new Error(`no answer within ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    const onAbort = () => {
      failure = 'timeout';
      outgoing.destroy(new Error('aborted'));
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    // Emitted once the whole request is handed to a connected socket: a refused connection never gets here.
    outgoing.once('finish', () => {
      sent = true;
    });
    outgoing.on('error', fail);
    outgoing.end(request.body);
  });
}
