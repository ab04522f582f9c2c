/** The driver under test, over HTTP: every answer read as text first, since a broken driver may send anything. */

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** The driver could not be reached at all (refused, DNS, timeout): exit code 2, not a finding. */
export class UnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `${url} cannot be reached: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`,
    );
    this.name = 'UnreachableError';
  }
}

export class DriverClient {
  readonly base: string;
  readonly #timeoutMs: number;

  /** `base` may carry a path (`http://host:3000/v1`); the endpoints are below it. */
  constructor(base: string, timeoutMs = 10_000) {
    this.base = base.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  /** A Homebase-style POST of a JSON value, or of a raw body as given. */
  post(
    path: string,
    body: unknown,
    options: { raw?: boolean; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    return this.#request(path, {
      method: 'POST',
      headers: { 'content-type': options.contentType ?? 'application/json', ...options.headers },
      body: options.raw ? String(body) : JSON.stringify(body),
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.#request(path, { method: 'GET', headers });
  }

  async #request(path: string, init: RequestInit): Promise<Answer> {
    const url = `${this.base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw new UnreachableError(url, error);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
  }
}

/** Loopback addresses, where executing actions harms no real device. */
export function isLoopback(base: string): boolean {
  const host = new URL(base).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}
