/**
 * The driver's OAuth 2.0 server end to end, with Homebase played by a strict client written for the
 * test: the whole dance against both upstream kinds (the local UserCenter, through the driver's own
 * sign-in page, and the local OIDC server, through its login page and the driver's callback), then
 * every bad request the RFCs name.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { credentialCipher } from '../../functions/composition/table.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import type { LocalDriver } from '../../lib/local/driver.ts';
import { localClient } from '../../lib/local/dynamodb.ts';
import { DEMO_OAUTH_ACCOUNT } from '../../lib/local/oauth-server.ts';
import { DEMO_ACCOUNT } from '../../lib/local/usercenter-server.ts';
import { Browser, formAction } from '../support/browser.ts';
import { postJson } from '../support/http.ts';
import { REDIRECT, REGISTRATION, startOAuth2Drivers } from '../support/oauth2-drivers.ts';
import { basic, expectOAuthError, expectTokens, pkce, redirectParams, StrictOAuthClient } from '../support/strict-oauth-client.ts';

let usercenter: LocalDriver;
let oidc: LocalDriver;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ usercenter, oidc, close } = await startOAuth2Drivers());
});
afterAll(() => close());

const atClient = (url: URL) => url.href.startsWith(REDIRECT);

/** The hidden fields of the sign-in form. */
function hiddenFields(body: string): Record<string, string> {
  return Object.fromEntries([...body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
}

/** The person's part at the driver's own page: the sign-in form, as a browser would post it. */
async function signInAtDriver(url: string, fields: Record<string, string>, browser = new Browser()) {
  const page = await browser.visit(url, atClient);
  expect(page.status).toBe(200);
  const back = await browser.submit(formAction(page), { ...hiddenFields(page.body), ...fields }, atClient);
  return { page, back, browser };
}

/** The person's part at the vendor's login page (the local OIDC server), back through the driver's callback. */
async function signInAtVendor(url: string) {
  const browser = new Browser();
  const login = await browser.visit(url, atClient);
  const back = await browser.submit(
    formAction(login),
    { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password },
    atClient,
  );
  return back.url.href;
}

const list = (driver: LocalDriver, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${driver.url}/list`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  }).then((r) => r.json() as Promise<{ status: number; data?: unknown[]; errorName?: string }>);

describe('the metadata (RFC 8414)', () => {
  it('names the issuer, the endpoints and what the server supports', async () => {
    const response = await fetch(`${usercenter.url}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({
      issuer: usercenter.url,
      authorization_endpoint: `${usercenter.url}/oauth2/authorize`,
      token_endpoint: `${usercenter.url}/oauth2/token`,
      revocation_endpoint: `${usercenter.url}/oauth2/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
    });
  });
});

describe('the whole dance, through the driver sign-in page (UserCenter upstream)', () => {
  const client = () => new StrictOAuthClient(usercenter.url, REGISTRATION);

  it('signs in, returns a code with the state, exchanges it, lists devices with the access token, refreshes and revokes', async () => {
    const url = client().authorizeUrl({ state: 'st/1 x', scope: 'devices' });
    // A wrong password first: the form comes back, the request still good.
    const browser = new Browser();
    const wrong = await signInAtDriver(url, { username: DEMO_ACCOUNT.username, password: 'nope' }, browser);
    expect(wrong.back.status).toBe(200);
    expect(wrong.back.body).toContain('The username or password is wrong');
    expect(wrong.back.url.href).not.toContain('nope');
    const retry = await browser.submit(
      `${usercenter.url}/oauth2/authorize`,
      { ...hiddenFields(wrong.back.body), username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      atClient,
    );
    const back = Object.fromEntries(retry.url.searchParams);
    expect(back).toEqual({ code: expect.stringMatching(/^hbc\./), state: 'st/1 x' });

    const tokens = await client().exchange(back['code'] ?? '');
    // The access token works on /list with no userId, and as a Bearer header.
    await expect(list(usercenter, { userAuth: { userToken: tokens.access_token } })).resolves.toMatchObject({ status: 0 });
    await expect(list(usercenter, { userAuth: { userId: '', userToken: tokens.access_token } })).resolves.toMatchObject({ status: 0 });
    await expect(list(usercenter, {}, { authorization: `Bearer ${tokens.access_token}` })).resolves.toMatchObject({ status: 0 });

    // Rotation, with the same grace as OAuthRefresh: a retried refresh gets the same answer.
    const renewed = await client().refresh(tokens.refresh_token);
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client().refresh(tokens.refresh_token)).resolves.toEqual({ ...renewed, expires_in: expect.any(Number) });
    await expect(list(usercenter, { userAuth: { userToken: tokens.access_token } })).resolves.toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
    });

    // RFC 7009: 200, and the link is gone.
    const revoked = await client().post(
      '/oauth2/revoke',
      { token: renewed.refresh_token, token_type_hint: 'refresh_token' },
      { auth: 'post' },
    );
    expect(revoked.status).toBe(200);
    await expect(list(usercenter, { userAuth: { userToken: renewed.access_token } })).resolves.toMatchObject({ status: 1 });
    expectOAuthError(
      await client().post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: renewed.refresh_token }),
      400,
      'invalid_grant',
    );
  });

  it('serves a sign-in page for the phone, in zh-CN or English, with its own CSP and a CSRF cookie', async () => {
    const zh = await fetch(client().authorizeUrl({ state: 's' }), { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } });
    expect(zh.status).toBe(200);
    const body = await zh.text();
    expect(body).toContain('<html lang="zh-CN">');
    expect(body).toContain('登录并授权');
    expect(body).toContain('name="viewport"');
    expect(zh.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[^']+'; form-action 'self' https:\/\/homebase\.rokid\.com;/,
    );
    expect(zh.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^hb_csrf_\w+=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/),
    ]);
    const en = await (await fetch(client().authorizeUrl({ state: 's' }), { headers: { 'accept-language': 'en-GB' } })).text();
    expect(en).toContain('Sign in and allow');
  });

  it('refuses a post without the CSRF cookie, or with another sign-in token', async () => {
    const page = await fetch(client().authorizeUrl({ state: 's' }));
    const fields = hiddenFields(await page.text());
    const cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const post = (form: Record<string, string>, headers: Record<string, string>) =>
      fetch(`${usercenter.url}/oauth2/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ ...form, username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password }),
      });
    const noCookie = await post(fields, {});
    expect(noCookie.status).toBe(400);
    await expect(noCookie.text()).resolves.toContain('This sign-in has expired');
    const forged = await post({ ...fields, csrf: 'forged' }, { cookie: `${cookie.split('=')[0]}=forged` });
    expect(forged.status).toBe(400);
    // The genuine pair still works: nothing was used up.
    const genuine = await post(fields, { cookie });
    expect(genuine.status).toBe(302);
    expect(redirectParams(genuine.headers.get('location'), REDIRECT)).toMatchObject({ code: expect.any(String), state: 's' });
    // A browser that signed in is known from then on: its device cookie, for the sign-in page alone, half a year.
    expect(genuine.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^hb_device=d1\.[\w-]+\.[\w-]+; Path=\/oauth2\/authorize; Max-Age=15552000; HttpOnly; SameSite=Lax$/),
    ]);
  });

  it('sends a cancel back as access_denied, with the state', async () => {
    const { back } = await signInAtDriver(client().authorizeUrl({ state: 'keep-me' }), { cancel: '1' });
    expect(Object.fromEntries(back.url.searchParams)).toEqual({
      error: 'access_denied',
      error_description: expect.any(String),
      state: 'keep-me',
    });
  });
});

describe('the whole dance, through the vendor login (OIDC upstream)', () => {
  const client = () => new StrictOAuthClient(oidc.url, REGISTRATION);

  it('takes PKCE S256: the code needs the verifier, and then yields working tokens', async () => {
    const { verifier, challenge } = pkce();
    const back = redirectParams(
      await signInAtVendor(client().authorizeUrl({ state: 'p', code_challenge: challenge, code_challenge_method: 'S256' })),
      REDIRECT,
    );
    expect(back).toEqual({ code: expect.any(String), state: 'p' });
    const tokens = await client().exchange(back['code'] ?? '', { code_verifier: verifier }, 'post');
    await expect(list(oidc, { userAuth: { userToken: tokens.access_token } })).resolves.toMatchObject({ status: 0 });
  });

  it('refuses a missing or wrong code_verifier', async () => {
    for (const extra of [{}, { code_verifier: pkce().verifier }] as Record<string, string>[]) {
      const { challenge } = pkce();
      const back = redirectParams(
        await signInAtVendor(client().authorizeUrl({ state: 'p', code_challenge: challenge, code_challenge_method: 'S256' })),
        REDIRECT,
      );
      const answer = await client().post('/oauth2/token', {
        grant_type: 'authorization_code',
        code: back['code'] ?? '',
        redirect_uri: REDIRECT,
        ...extra,
      });
      expect(expectOAuthError(answer, 400, 'invalid_grant')).toMatch(/code_verifier/);
    }
  });
});

describe('bad authorization requests', () => {
  const client = () => new StrictOAuthClient(usercenter.url, REGISTRATION);
  const get = (url: string) => fetch(url, { redirect: 'manual' });

  it.each([
    ['an unknown client', { client_id: 'someone-else' }, 'Unknown application'],
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/cb' }, 'This link cannot be completed'],
    ['a redirect_uri that only starts like the registered one', { redirect_uri: `${REDIRECT}/x` }, 'This link cannot be completed'],
  ])('answers %s with an error page and never a redirect', async (_case, params, title) => {
    const response = await get(client().authorizeUrl({ state: 's', ...params }));
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    await expect(response.text()).resolves.toContain(title);
  });

  it.each([
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no response_type', { response_type: '' }, 'invalid_request'],
    ['PKCE plain', { code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
    ['a malformed code_challenge', { code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request'],
    ['a 3000-character scope', { scope: 'x'.repeat(3000) }, 'invalid_request'],
  ] as [string, Record<string, string>, string][])(
    'sends %s back to the client as error=%s, with the state',
    async (_case, params, error) => {
      const url = new URL(client().authorizeUrl({ state: 'st', ...params }));
      if (params['response_type'] === '') url.searchParams.delete('response_type');
      const response = await get(url.href);
      expect(response.status).toBe(302);
      expect(redirectParams(response.headers.get('location'), REDIRECT)).toEqual({
        error,
        error_description: expect.any(String),
        state: 'st',
      });
    },
  );

  it('refuses a repeated parameter', async () => {
    const response = await get(`${client().authorizeUrl({ state: 'a' })}&state=b`);
    expect(redirectParams(response.headers.get('location'), REDIRECT)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('bad token and revocation requests', () => {
  const client = () => new StrictOAuthClient(usercenter.url, REGISTRATION);
  const freshCode = async (params: Record<string, string> = {}) => {
    const { back } = await signInAtDriver(client().authorizeUrl({ state: 's', ...params }), {
      username: DEMO_ACCOUNT.username,
      password: DEMO_ACCOUNT.password,
    });
    return back.url.searchParams.get('code') ?? '';
  };
  const grant = (code: string, extra: Record<string, string> = {}) => ({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    ...extra,
  });

  it("authenticates a strictly percent-encoded Basic id, and Rokid's client_id in the body beside it", async () => {
    const header = basic(REGISTRATION.clientId, REGISTRATION.clientSecret, true);
    expect(Buffer.from(header.slice(6), 'base64').toString()).toMatch(/^homebase%2Drokid:/);
    expectTokens(
      await client().post('/oauth2/token', grant(await freshCode(), { client_id: REGISTRATION.clientId }), { auth: { header } }),
    );
  });

  it.each([
    ['no client authentication', 'none', 401, 'invalid_client'],
    ['a wrong secret', { header: basic(REGISTRATION.clientId, 'wrong') }, 401, 'invalid_client'],
    ['an unknown client', { header: basic('stranger', REGISTRATION.clientSecret) }, 401, 'invalid_client'],
    ['Basic that is not base64', { header: 'Basic ***' }, 401, 'invalid_client'],
  ] as const)('answers %s with %i %s', async (_case, auth, status, error) => {
    const answer = await client().post('/oauth2/token', grant('hbc.whatever'), { auth });
    expectOAuthError(answer, status, error);
    if (typeof auth === 'object') expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('refuses two authentication methods at once, and a body client_id that disagrees with Basic', async () => {
    const both = `${new URLSearchParams(grant('hbc.x'))}&client_id=${REGISTRATION.clientId}&client_secret=x`;
    expectOAuthError(await client().post('/oauth2/token', both), 400, 'invalid_request');
    expectOAuthError(await client().post('/oauth2/token', grant('hbc.x', { client_id: 'other' })), 401, 'invalid_client');
  });

  it.each([
    ['a wrong content type', JSON.stringify(grant('x')), 'application/json', 400, 'invalid_request'],
    ['no grant_type', 'code=x', undefined, 400, 'invalid_request'],
    ['an unknown grant_type', 'grant_type=password&username=a&password=b', undefined, 400, 'unsupported_grant_type'],
    ['a repeated parameter', 'grant_type=authorization_code&code=a&code=b', undefined, 400, 'invalid_request'],
    ['a 100 KB parameter', `grant_type=authorization_code&code=${'x'.repeat(100_000)}`, undefined, 400, 'invalid_request'],
    ['an authorization_code grant without a code', 'grant_type=authorization_code', undefined, 400, 'invalid_request'],
    ['an unknown code', 'grant_type=authorization_code&code=hbc.nope', undefined, 400, 'invalid_grant'],
    ['a refresh token from no link of ours', 'grant_type=refresh_token&refresh_token=hbr.x.y', undefined, 400, 'invalid_grant'],
    ['a refresh_token grant without one', 'grant_type=refresh_token', undefined, 400, 'invalid_request'],
  ])('answers %s in the RFC shape', async (_case, body, contentType, status, error) => {
    expectOAuthError(await client().post('/oauth2/token', body, contentType ? { contentType } : {}), status, error);
  });

  it('refuses a replayed code, and revokes what the first exchange issued', async () => {
    const code = await freshCode();
    const first = await client().exchange(code);
    expectOAuthError(await client().post('/oauth2/token', grant(code)), 400, 'invalid_grant');
    await expect(list(usercenter, { userAuth: { userToken: first.access_token } })).resolves.toMatchObject({ status: 1 });
  });

  it('refuses a redirect_uri other than the request had, and a code from the command flow', async () => {
    const code = await freshCode();
    expectOAuthError(
      await client().post('/oauth2/token', grant(code, { redirect_uri: 'https://homebase.rokid.com/other' })),
      400,
      'invalid_grant',
    );
    const { data: url } = await postJson(usercenter.url, '/command', {
      command: 'OAuth',
      params: { callbackURL: 'https://homebase.rokid.com/cb' },
    });
    const browser = new Browser();
    const atHomebase = (u: URL) => u.origin === 'https://homebase.rokid.com';
    const login = await browser.visit(url, atHomebase);
    const back = await browser.submit(
      formAction(login),
      { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password },
      atHomebase,
    );
    const commandCode = back.url.searchParams.get('code') ?? '';
    expect(commandCode).toMatch(/^hbc\./);
    expectOAuthError(await client().post('/oauth2/token', grant(commandCode)), 400, 'invalid_grant');
  });

  it('answers revocation of an unknown token with 200, and without client authentication with 401', async () => {
    expect((await client().post('/oauth2/revoke', { token: 'hbr.nothing.here' })).status).toBe(200);
    expect((await client().post('/oauth2/revoke', { token: 'not-even-ours' })).status).toBe(200);
    expectOAuthError(await client().post('/oauth2/revoke', { token: 'x' }, { auth: 'none' }), 401, 'invalid_client');
    expectOAuthError(await client().post('/oauth2/revoke', {}), 400, 'invalid_request');
  });
});

describe('refresh-token families, over HTTP and DynamoDB', () => {
  const REPLAYED =
    'The sign-in cannot be renewed; link your account again in the Rokid app. (The refreshToken was already used, so it may have been copied: every token of this link is now revoked.)';
  const client = () => new StrictOAuthClient(usercenter.url, REGISTRATION);
  const refreshWith = (refreshToken: string) =>
    client().post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
  let db: DynamoDBDocumentClient;
  let links: DynamoLinkStore;
  beforeAll(() => {
    // Where the handlers' SDK client points: the two drivers share one process, and so its AWS_ENDPOINT_URL_DYNAMODB.
    db = DynamoDBDocumentClient.from(localClient(process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? usercenter.dynamoEndpoint));
    links = new DynamoLinkStore(db, usercenter.config.TABLE_NAME, credentialCipher(usercenter.config));
  });
  afterAll(() => db.destroy());

  async function linkedTokens() {
    const { back } = await signInAtDriver(client().authorizeUrl({ state: 's' }), {
      username: DEMO_ACCOUNT.username,
      password: DEMO_ACCOUNT.password,
    });
    return client().exchange(back.url.searchParams.get('code') ?? '');
  }
  /** The replay answer, and the family's newest access token refused with it. */
  async function expectFamilyRevoked(replayed: string, newest: string) {
    expect(expectOAuthError(await refreshWith(replayed), 400, 'invalid_grant')).toBe(REPLAYED);
    await expect(list(usercenter, { userAuth: { userToken: newest } })).resolves.toMatchObject({
      status: 1,
      errorName: 'E_INVALID_AUTHORIZATION',
    });
  }

  it('a refresh token two rotations old gets invalid_grant and revokes the family', async () => {
    const first = await linkedTokens();
    const second = await client().refresh(first.refresh_token);
    const third = await client().refresh(second.refresh_token);
    await expectFamilyRevoked(first.refresh_token, third.access_token);
  });

  it('within the grace, the replaced token gets the same tokens until the new refresh token is used; then it revokes', async () => {
    const first = await linkedTokens();
    const second = await client().refresh(first.refresh_token);
    await expect(client().refresh(first.refresh_token)).resolves.toEqual({ ...second, expires_in: expect.any(Number) });
    const third = await client().refresh(second.refresh_token);
    await expectFamilyRevoked(first.refresh_token, third.access_token);
  });

  it('ten refreshes racing with one token: one rotation, and all ten get its tokens', async () => {
    const first = await linkedTokens();
    const answers = await Promise.all(Array.from({ length: 10 }, () => client().refresh(first.refresh_token)));
    expect(new Set(answers.map((answer) => answer.refresh_token)).size).toBe(1);
    const link = await links.get(linkIdOf('hbr', first.refresh_token)!);
    expect(link?.spentRefreshTokens).toEqual([{ hash: expect.any(String), expiresAt: expect.any(Number) }]);
    await expect(list(usercenter, { userAuth: { userToken: answers[0]!.access_token } })).resolves.toMatchObject({ status: 0 });
  });

  it('keeps the tokens for the re-answer sealed only until the new refresh token is used, or the grace ends', async () => {
    const first = await linkedTokens();
    const linkId = linkIdOf('hbr', first.refresh_token)!;
    const second = await client().refresh(first.refresh_token);
    expect((await links.get(linkId))?.rotationIssued).toMatchObject({ refreshToken: second.refresh_token });
    const third = await client().refresh(second.refresh_token);
    const stored = JSON.stringify(await links.get(linkId));
    expect(stored).not.toContain(second.refresh_token);
    expect(stored).not.toContain(second.access_token);
    // As if the grace had passed: the rotation an hour ago, and the next write (the refresh job's) now.
    const link = (await links.get(linkId))!;
    const now = Math.floor(Date.now() / 1000);
    const { rotationIssued } = link;
    const aged = { ...link, refreshRotatedAt: now - 3600, rotationIssued: { ...rotationIssued!, until: now - 3540 } };
    expect(await links.update({ ...aged, updatedAt: now, version: link.version + 1 })).toBe(true);
    expect(await links.get(linkId)).not.toHaveProperty('rotationIssued');
    await expectFamilyRevoked(second.refresh_token, third.access_token);
  });
});
