/**
 * oauth4webapi's `customFetch`: the driver's own transport (node:http, a deadline, a cap on the answer)
 * with the vendor's request shape and its answers read by vendor-answers.ts before oauth4webapi sees them.
 */
import { UpstreamError } from '../../domain/upstream-error.ts';
import { MAX_STORED_ANSWER_BYTES, requestText, TransportError } from '../http/request.ts';
import { normalizeAnswer, type VendorQuirks } from './vendor-answers.ts';

export interface VendorFetchSettings extends VendorQuirks {
  timeoutMs: number;
  /** `GET` sends token requests with every parameter in the query, as Xiaomi's token API wants. */
  tokenMethod: 'POST' | 'GET';
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: unknown;
  signal?: AbortSignal | null;
}

export function vendorFetch(settings: VendorFetchSettings) {
  return async (url: string, init: FetchInit = {}): Promise<Response> => {
    let target = url;
    let method = (init.method ?? 'GET').toUpperCase();
    const headers = init.headers instanceof Headers ? Object.fromEntries(init.headers.entries()) : { ...init.headers };
    let body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const params =
      body !== undefined && headers['content-type']?.startsWith('application/x-www-form-urlencoded')
        ? new URLSearchParams(body)
        : undefined;
    const grant = params?.get('grant_type') ?? undefined;
    if (grant && settings.tokenMethod === 'GET' && method === 'POST') {
      const withQuery = new URL(url);
      for (const [name, value] of params ?? []) withQuery.searchParams.append(name, value);
      target = withQuery.href;
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    let answer: Awaited<ReturnType<typeof requestText>>;
    try {
      answer = await requestText(target, {
        method,
        headers,
        body,
        timeoutMs: settings.timeoutMs,
        maxBytes: MAX_STORED_ANSWER_BYTES,
        signal: init.signal ?? undefined,
      });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      // An answer too large to be a token response is one the driver cannot read; the others are outages.
      throw new UpstreamError(error.tooLarge ? 'malformed' : 'unavailable', `authorization server: ${error.message}`, { cause: error });
    }
    if (answer.status >= 500 || answer.status === 429) {
      // A busy or broken server, not a verdict on the request: worth trying again later.
      throw new UpstreamError('unavailable', `the authorization server answered HTTP ${answer.status}`, {
        upstreamCode: String(answer.status),
      });
    }
    const { status, json } = grant
      ? normalizeAnswer(answer.status, answer.body, settings, grant)
      : normalizeAnswer(answer.status, answer.body, { responsePrefix: settings.responsePrefix });
    if (!json) return new Response(answer.body, { status, headers: { 'content-type': answer.headers['content-type'] ?? 'text/plain' } });
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
  };
}
