/** Homebase's callbackURL: which ones may receive an authorization, and how parameters are added to one. */
import { DriverError } from '../errors.ts';

export interface CallbackAllowList {
  /** Whole origins: any path there may receive an authorization. */
  origins: readonly string[];
  /** Exact addresses: scheme, host, port and path must match; any query is allowed, since Homebase adds its own. */
  uris: readonly string[];
}

/**
 * An open callback would hand a user's account to whoever chose the URL, so only allow-listed
 * origins and addresses pass. A loopback origin without a port allows any port. Answers the URL as
 * parsed and checked, serialized: never the raw text, which the parser may have read differently (it
 * drops tabs and line breaks, which a Location header must not carry). Control characters are refused.
 */
export function allowedCallbackURL(callbackURL: string, allowed: CallbackAllowList): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(callbackURL)) {
    throw new DriverError(
      'params.callbackURL: contains a control character (a line break, tab or the like); send the URL percent-encoded.',
    );
  }
  let url: URL;
  try {
    url = new URL(callbackURL);
  } catch {
    throw new DriverError('params.callbackURL: expected an absolute URL.');
  }
  if (!allowed.origins.some((origin) => originAllows(origin, url)) && !allowed.uris.some((uri) => uriAllows(uri, url))) {
    const list = [...allowed.origins, ...allowed.uris].join(', ');
    throw new DriverError(`params.callbackURL: ${url.origin}${url.pathname} is not allowed to receive authorizations. Allowed: ${list}.`);
  }
  return url.href;
}

function uriAllows(allowed: string, url: URL): boolean {
  const uri = parsed(allowed);
  return uri !== undefined && uri.protocol === url.protocol && uri.host === url.host && uri.pathname === url.pathname;
}

const parsed = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};

function originAllows(allowed: string, url: URL): boolean {
  const origin = parsed(allowed);
  if (!origin) return false;
  if (origin.protocol !== url.protocol || origin.hostname !== url.hostname) return false;
  const loopback = origin.hostname === '127.0.0.1' || origin.hostname === 'localhost' || origin.hostname === '[::1]';
  return origin.port === url.port || (loopback && origin.port === '');
}

/**
 * callbackURL with parameters appended, every path and query part of it kept byte for byte (a
 * URLSearchParams round trip would re-encode them); a fragment stays at the end.
 */
export function appendQuery(callbackURL: string, params: Record<string, string>): string {
  const hash = callbackURL.indexOf('#');
  const base = hash === -1 ? callbackURL : callbackURL.slice(0, hash);
  const fragment = hash === -1 ? '' : callbackURL.slice(hash);
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}${fragment}`;
}
