/**
 * HTTP MAC access authentication, as Xiaomi's open API uses it (after the IETF OAuth 2.0 MAC token
 * draft): a token of type `mac` comes with a `mac_key`, and each request is signed rather than carrying
 * the token as a bearer credential.
 *
 * The signed text is five lines, each ended by `\n`: the nonce (`<random>:<minutes since the epoch>`),
 * the method in capitals, the host (with its port, if the URL names one), the path, and the query with
 * its parameters sorted by name and the empty ones left out. The MAC is HMAC-SHA1 (or -SHA256) of that
 * text under the mac_key, base64-encoded, sent as
 * `Authorization: MAC access_token="…", nonce="…", mac="…"`.
 */
import { crypto } from '../../runtime/builtins.ts';

const { createHmac, randomInt, timingSafeEqual } = crypto;

export interface MacCredentials {
  accessToken: string;
  macKey: string;
  /** `HmacSHA1` (the default, and all Xiaomi supports) or `HmacSHA256`, in any case. */
  algorithm?: string | undefined;
}

export function normalizedRequest(nonce: string, method: string, url: URL): string {
  const query = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !pair.endsWith('=') && pair.includes('='))
    .sort((a, b) => {
      const [nameA = '', nameB = ''] = [a.split('=')[0], b.split('=')[0]];
      return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
    })
    .join('&');
  return `${nonce}\n${method.toUpperCase()}\n${url.host}\n${url.pathname}\n${query}\n`;
}

export function macOf(credentials: MacCredentials, nonce: string, method: string, url: URL): string {
  const digest = /sha-?256/i.test(credentials.algorithm ?? '') ? 'sha256' : 'sha1';
  return createHmac(digest, credentials.macKey)
    .update(normalizedRequest(nonce, method, url))
    .digest('base64');
}

/** The Authorization header for one request. */
export function macAuthorization(credentials: MacCredentials, method: string, url: URL, now: number = Date.now()): string {
  const nonce = `${randomInt(1, 2 ** 47)}:${Math.floor(now / 60_000)}`;
  return `MAC access_token="${credentials.accessToken}", nonce="${nonce}", mac="${macOf(credentials, nonce, method, url)}"`;
}

/** Reads a MAC Authorization header: its fields, or undefined when it is not one. */
export function parseMacAuthorization(header: string | undefined): { accessToken: string; nonce: string; mac: string } | undefined {
  if (!header?.startsWith('MAC ')) return undefined;
  const fields = Object.fromEntries([...header.slice(4).matchAll(/(\w+)\s*=\s*"([^"]*)"/g)].map((match) => [match[1], match[2]]));
  const { access_token: accessToken, nonce, mac } = fields;
  return accessToken && nonce && mac ? { accessToken, nonce, mac } : undefined;
}

/** Does the header's MAC match the request, under this key? Constant-time. */
export function macMatches(
  header: { nonce: string; mac: string; accessToken: string },
  macKey: string,
  algorithm: string | undefined,
  method: string,
  url: URL,
): boolean {
  const expected = Buffer.from(macOf({ accessToken: header.accessToken, macKey, algorithm }, header.nonce, method, url));
  const presented = Buffer.from(header.mac);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
