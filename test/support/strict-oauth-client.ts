/**
 * A small, strict OAuth 2.0 client, written for the tests and independent of the driver's own
 * OAuthClient: it builds requests by hand and checks every answer against RFC 6749 and RFC 7009 to
 * the letter, so the driver's server is judged by what a client sees, not by its own code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** RFC 6749 §2.3.1: form-encode id and secret, then base64 the pair. `encodeURIComponent` leaves `-` alone; strict mode does not. */
export function basic(id: string, secret: string, strict = false): string {
  const encode = (text: string) => {
    const form = new URLSearchParams({ x: text }).toString().slice(2);
    return strict ? form.replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : form;
  };
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

export class StrictOAuthClient {
  readonly issuer: string;
  readonly registration: ClientRegistration;

  constructor(issuer: string, registration: ClientRegistration) {
    this.issuer = issuer;
    this.registration = registration;
  }

  authorizeUrl(params: Record<string, string>): string {
    const url = new URL(`${this.issuer}/oauth2/authorize`);
    const query = { response_type: 'code', client_id: this.registration.clientId, redirect_uri: this.registration.redirectUri, ...params };
    for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
    return url.href;
  }

  /** A form POST as the RFC describes it; `auth: 'basic'` by default. */
  async post(
    path: string,
    fields: Record<string, string> | string,
    options: { auth?: 'basic' | 'post' | 'none' | { header: string }; contentType?: string } = {},
  ): Promise<RawAnswer> {
    const auth = options.auth ?? 'basic';
    const { clientId, clientSecret } = this.registration;
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' };
    let body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
    if (auth === 'basic') headers['authorization'] = basic(clientId, clientSecret);
    else if (auth === 'post') body += `&${new URLSearchParams({ client_id: clientId, client_secret: clientSecret })}`;
    else if (typeof auth === 'object') headers['authorization'] = auth.header;
    const response = await fetch(`${this.issuer}${path}`, { method: 'POST', headers, body, redirect: 'manual' });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  /** §4.1.3 and §5.1: the token response, checked field by field. */
  async exchange(code: string, extra: Record<string, string> = {}, auth?: 'basic' | 'post'): Promise<TokenSet> {
    const answer = await this.post(
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: this.registration.redirectUri, ...extra },
      auth ? { auth } : {},
    );
    return expectTokens(answer);
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return expectTokens(await this.post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: refreshToken }));
  }
}

export function expectTokens(answer: RawAnswer): TokenSet {
  expect(answer.status, answer.body).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('pragma')).toBe('no-cache');
  const tokens = JSON.parse(answer.body) as TokenSet;
  expect(tokens).toEqual({
    access_token: expect.any(String),
    token_type: expect.stringMatching(/^bearer$/i),
    expires_in: expect.any(Number),
    refresh_token: expect.any(String),
  });
  expect(tokens.expires_in).toBeGreaterThan(0);
  return tokens;
}

/** §5.2: the error, its status, and a JSON body with `error` (and a description a person can read). */
export function expectOAuthError(answer: RawAnswer, status: number, error: string): string {
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  const body = JSON.parse(answer.body) as { error: string; error_description?: string };
  expect(body.error).toBe(error);
  expect(body.error_description).toEqual(expect.any(String));
  return body.error_description ?? '';
}

/** The query of a redirect to the client, from a 302's Location. */
export function redirectParams(location: string | null, redirectUri: string): Record<string, string> {
  expect(location).not.toBeNull();
  expect(location?.startsWith(`${redirectUri}?`)).toBe(true);
  return Object.fromEntries(new URL(location ?? '').searchParams);
}
