/**
 * The OAuth client against the answers vendors really send, from a scripted server on loopback: seed
 * 003's sample token response, Xiaomi's prefix and spacing, JSON labelled as text, HTTP-200 errors with
 * vendor codes, and answers that are not OAuth at all. Each refusal says whether the server refused or
 * could not be understood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient, type OAuthSettings } from '../../functions/adapters/oauth/oauth-client.ts';
import { PKCE } from '../support/oauth.ts';
import { type Script, type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

const REDIRECT = 'http://127.0.0.1:9/oauth/callback';
let server: ScriptedServer;
let script: Script = () => ({ json: {} });
beforeAll(async () => {
  server = await startScriptedServer((request) => script(request));
});
afterAll(() => server.close());

const client = (settings: Partial<OAuthSettings> = {}) =>
  new OAuthClient({
    authorizationEndpoint: `${server.url}/authorize`,
    tokenEndpoint: `${server.url}/token`,
    clientId: 'vendor-app',
    clientSecret: async () => 's3cret',
    userIdClaims: ['open_id'],
    timeoutMs: 1500,
    ...settings,
  });
const exchange = (c: OAuthClient) => c.exchange({ callbackParams: { code: 'c-1' }, redirectUri: REDIRECT, codeVerifier: PKCE.verifier });

/** Seed 003's sample token response, as the callback service in front of Xiaomi's account OAuth sends it. */
const SEED_003 = {
  access_token: 'a-1',
  refresh_token: 'r-1',
  mac_key: 'mk-1',
  mac_algorithm: 'HmacSHA1',
  open_id: 'o-1',
  scope: '1 20000 3 6000',
  token_type: 'mac',
  expires_in: 7200,
};

describe('token responses vendors send', () => {
  it.each([
    ["seed 003's sample, token type mac", SEED_003, {}, { token_type: 'mac', mac_key: 'mk-1', mac_algorithm: 'HmacSHA1' }, 7200],
    ['the same without token_type', { ...SEED_003, token_type: undefined }, {}, { token_type: 'bearer', mac_key: 'mk-1' }, 7200],
    ['expires_in as a numeric string', { ...SEED_003, expires_in: '7200' }, {}, { scope: '1 20000 3 6000' }, 7200],
    ['no expires_in, with a default lifetime', { ...SEED_003, expires_in: undefined }, { defaultExpiresInS: 3600 }, {}, 3600],
    ['no expires_in and no default', { ...SEED_003, expires_in: undefined }, {}, {}, undefined],
    [
      "Xiaomi's stray spaces",
      { ...SEED_003, token_type: undefined, 'token_type ': 'mac', 'mac_key ': 'mk-1', mac_algorithm: ' HmacSha1' },
      {},
      { token_type: 'mac', mac_key: 'mk-1', mac_algorithm: 'HmacSha1' },
      7200,
    ],
  ] as const)('links with %s', async (_case, body, settings, extra, expiresIn) => {
    script = () => ({ json: body });
    const { grant, vendorUserId } = await exchange(client(settings));
    expect(vendorUserId).toBe('o-1');
    expect(grant).toMatchObject({ accessToken: 'a-1', refreshToken: 'r-1', extra });
    expect(grant.expiresIn).toBe(expiresIn);
  });

  it.each([
    ['text/html', { contentType: 'text/html;charset=UTF-8' }, {}],
    ['text/plain', { contentType: 'text/plain' }, {}],
    ["Xiaomi's &&&START&&& prefix, as text/html", { contentType: 'text/html', prefix: '&&&START&&&' }, { responsePrefix: '&&&START&&&' }],
  ] as const)('reads JSON served as %s', async (_case, served, settings) => {
    script = () => ({ text: `${'prefix' in served ? served.prefix : ''}${JSON.stringify(SEED_003)}`, contentType: served.contentType });
    await expect(exchange(client(settings))).resolves.toMatchObject({ vendorUserId: 'o-1' });
  });

  it('takes the user id from the first of several claims that is there (openId, then open_id)', async () => {
    script = () => ({ json: SEED_003 });
    await expect(exchange(client({ userIdClaims: ['openId', 'open_id'] }))).resolves.toMatchObject({ vendorUserId: 'o-1' });
    script = () => ({ json: { ...SEED_003, open_id: undefined, openId: '2.0X' } });
    await expect(exchange(client({ userIdClaims: ['openId', 'open_id'] }))).resolves.toMatchObject({ vendorUserId: '2.0X' });
  });
});

describe('refusals and answers that cannot be read', () => {
  it.each([
    ['{code, msg} with HTTP 200', { json: { code: 40001, msg: 'invalid code' } }, 'rejected', '40001'],
    ['a numeric error with HTTP 200', { json: { error: 96009, error_description: 'invalid grant type' } }, 'rejected', '96009'],
    ['an OAuth error', { status: 400, json: { error: 'invalid_grant', error_description: 'code used' } }, 'invalid_grant', 'invalid_grant'],
    ['a client refused with 401', { status: 401, json: { error: 'invalid_client' } }, 'rejected', 'invalid_client'],
  ] as const)('%s is a refusal, with the upstream code kept', async (_case, answer, failure, upstreamCode) => {
    script = () => answer;
    await expect(exchange(client())).rejects.toMatchObject({ name: 'UpstreamError', failure, upstreamCode });
  });

  it.each([
    ['garbage', { text: 'garbage', contentType: 'text/plain' }],
    ['an HTML page', { text: '<html><body>Service maintenance</body></html>', contentType: 'text/html' }],
    ['an empty body', { text: '', contentType: 'application/json' }],
    ['a JSON array', { json: [1, 2] }],
    ['JSON with no access_token', { json: { hello: 'world' } }],
    ['the prefix when none is configured', { text: `&&&START&&&${JSON.stringify(SEED_003)}`, contentType: 'text/html' }],
    ['10 MB of anything', { text: 'x'.repeat(10 * 1024 * 1024), contentType: 'application/json' }],
    ['a token response of 100 KB, too big to keep in a link', { json: { ...SEED_003, id_token_extra: 'x'.repeat(100 * 1024) } }],
  ] as const)('%s is an answer that could not be read', async (_case, answer) => {
    script = () => answer;
    const started = performance.now();
    const failed = exchange(client());
    await expect(failed).rejects.toMatchObject({ name: 'UpstreamError', failure: 'malformed' });
    await expect(failed).rejects.toThrow(/could not be read|larger than/);
    expect(performance.now() - started).toBeLessThan(1500 + 500);
  });

  it.each([
    ['a 500', { status: 500, text: 'oops' }],
    ['a 429', { status: 429, text: 'slow down' }],
    ['no answer', 'hang'],
  ] as const)('%s means the server is unavailable', async (_case, answer) => {
    script = () => answer;
    await expect(exchange(client({ timeoutMs: 300 }))).rejects.toMatchObject({ name: 'UpstreamError', failure: 'unavailable' });
  });

  it('a vendor-coded refusal of the refresh grant that says the token is dead is invalid_grant; another is a passing refusal', async () => {
    const dead = /invalid.?grant|refresh.?token|expired/i;
    script = () => ({ json: { error: 96013, error_description: 'invalid refresh token' } });
    await expect(client({ deadRefreshTokenPattern: dead }).refresh('r-1')).rejects.toMatchObject({
      failure: 'invalid_grant',
      upstreamCode: '96013',
    });
    script = () => ({ json: { error: 96099, error_description: 'system busy' } });
    await expect(client({ deadRefreshTokenPattern: dead }).refresh('r-1')).rejects.toMatchObject({
      failure: 'rejected',
      upstreamCode: '96099',
    });
  });
});

describe('requests in the shapes servers accept', () => {
  it('sends Basic credentials with unreserved characters as they are, and a server that compares literally accepts them', async () => {
    const clientId = 'homebase-driver.v2_~x';
    const expected = `Basic ${Buffer.from(`${clientId}:s3cret`).toString('base64')}`;
    script = (request) =>
      request.headers.authorization === expected ? { json: SEED_003 } : { status: 401, json: { error: 'invalid_client' } };
    await expect(exchange(client({ clientId, clientAuth: 'client_secret_basic' }))).resolves.toMatchObject({ vendorUserId: 'o-1' });
  });

  it('still encodes what is not unreserved, as RFC 6749 asks', async () => {
    script = () => ({ json: SEED_003 });
    await exchange(client({ clientId: 'a b:c', clientAuth: 'client_secret_basic', clientSecret: async () => 'p@ss' }));
    const authorization = server.requests.at(-1)!.headers.authorization!;
    expect(Buffer.from(authorization.slice(6), 'base64').toString()).toBe('a+b%3Ac:p%40ss');
  });

  it("chooses client authentication from discovery's token_endpoint_auth_methods_supported when none is configured", async () => {
    script = (request) =>
      request.path.startsWith('/.well-known/')
        ? {
            json: {
              issuer: server.url,
              authorization_endpoint: `${server.url}/authorize`,
              token_endpoint: `${server.url}/token`,
              token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
            },
          }
        : { json: SEED_003 };
    await exchange(client({ issuer: server.url, tokenEndpoint: undefined }));
    const token = server.requests.at(-1)!;
    expect(token.headers.authorization).toBeUndefined();
    expect(new URLSearchParams(token.body).get('client_secret')).toBe('s3cret');
  });

  it('sends token requests by GET with every parameter in the query when asked, and the redirect_uri on the refresh grant', async () => {
    script = () => ({ json: SEED_003 });
    const xiaomi = client({ tokenMethod: 'GET', clientAuth: 'client_secret_post' });
    await exchange(xiaomi);
    const code = server.requests.at(-1)!;
    expect(code.method).toBe('GET');
    expect(code.body).toBe('');
    const query = new URL(code.path, server.url).searchParams;
    expect(Object.fromEntries(query)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'c-1',
      client_id: 'vendor-app',
      client_secret: 's3cret',
      redirect_uri: REDIRECT,
    });
    await xiaomi.refresh('r-1', { redirectUri: REDIRECT });
    const refresh = new URL(server.requests.at(-1)!.path, server.url).searchParams;
    expect(Object.fromEntries(refresh)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'r-1',
      redirect_uri: REDIRECT,
      client_secret: 's3cret',
    });
  });

  it('adds fixed parameters to the authorization URL', async () => {
    const url = new URL(
      await client({ authorizeParams: { skip_confirm: 'true', pt: '1' }, scope: '1 20000' }).authorizationUrl({
        redirectUri: REDIRECT,
        state: 's',
        codeChallenge: 'c',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      skip_confirm: 'true',
      pt: '1',
      scope: '1 20000',
      code_challenge_method: 'S256',
    });
  });
});
