/**
 * The OAuth 2.0 client against a real authorization server (oidc-provider) and, for what a real server
 * will not do on demand, a scripted one: discovery or explicit endpoints, both client authentication
 * methods, and each way of learning who the user is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient, type OAuthSettings } from '../../functions/adapters/oauth/oauth-client.ts';
import { DEMO_OAUTH_ACCOUNT, type OAuthServer, startOAuthServer } from '../../lib/local/oauth-server.ts';
import { PKCE, signIn as signInAt } from '../support/oauth.ts';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

const REDIRECT = 'http://127.0.0.1:9/oauth/callback';
const VERIFIER = PKCE.verifier;
let server: OAuthServer;
let scripted: ScriptedServer;
beforeAll(async () => {
  server = await startOAuthServer({
    clients: [
      {
        client_id: 'basic',
        client_secret: 'basic-secret',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'post',
        client_secret: 'post-secret',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
  });
  scripted = await startScriptedServer(() => ({
    json: { access_token: 'a-1', token_type: 'bearer', expires_in: 7200, refresh_token: 'r-1', open_id: 'o-77', mac_key: 'k' },
  }));
});
afterAll(async () => {
  await server.close();
  await scripted.close();
});

const signIn = (client: OAuthClient) => signInAt(client, REDIRECT);

describe('OAuth client', () => {
  it.each([
    ['discovery and client_secret_basic', { issuer: '' }, 'basic'],
    ['explicit endpoints and client_secret_post', { issuer: undefined, authorizationEndpoint: '/auth', tokenEndpoint: '/token' }, 'post'],
  ] as const)('links and refreshes with %s', async (_case, where, clientId) => {
    const settings: OAuthSettings = {
      issuer: where.issuer === undefined ? undefined : server.issuer,
      ...('tokenEndpoint' in where
        ? { authorizationEndpoint: server.issuer + where.authorizationEndpoint, tokenEndpoint: server.issuer + where.tokenEndpoint }
        : {}),
      clientId,
      clientSecret: async () => `${clientId}-secret`,
      clientAuth: clientId === 'post' ? 'client_secret_post' : 'client_secret_basic',
      scope: 'openid',
      timeoutMs: 2000,
    };
    const client = new OAuthClient(settings);
    const callback = await signIn(client);
    expect(callback['state']).toBe('st-1');
    const { grant, vendorUserId } = await client.exchange({ callbackParams: callback, redirectUri: REDIRECT, codeVerifier: VERIFIER });
    expect(vendorUserId).toBe(DEMO_OAUTH_ACCOUNT.accountId);
    expect(grant).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600,
      extra: { scope: 'openid', token_type: 'bearer' },
    });
    await expect(client.refresh(grant.refreshToken!)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('refuses a wrong PKCE verifier: the code is worthless without it', async () => {
    const client = new OAuthClient({
      issuer: server.issuer,
      clientId: 'basic',
      clientSecret: async () => 'basic-secret',
      clientAuth: 'client_secret_basic',
      scope: 'openid',
      timeoutMs: 2000,
    });
    const callback = await signIn(client);
    await expect(client.exchange({ callbackParams: callback, redirectUri: REDIRECT, codeVerifier: 'x'.repeat(43) })).rejects.toMatchObject({
      name: 'UpstreamError',
      failure: 'invalid_grant',
    });
  });

  it('takes the user id from a configured token-response field, and sends client_secret_post in the body', async () => {
    const client = new OAuthClient({
      tokenEndpoint: `${scripted.url}/token`,
      authorizationEndpoint: `${scripted.url}/authorize`,
      clientId: 'vendor-app',
      clientSecret: async () => 's3cret',
      clientAuth: 'client_secret_post',
      userIdClaims: ['open_id'],
      timeoutMs: 2000,
    });
    const { grant, vendorUserId } = await client.exchange({
      callbackParams: { code: 'c-1', state: 's' },
      redirectUri: REDIRECT,
      codeVerifier: VERIFIER,
    });
    expect(vendorUserId).toBe('o-77');
    expect(grant.extra).toMatchObject({ open_id: 'o-77', mac_key: 'k' });
    const body = new URLSearchParams(scripted.requests.at(-1)!.body);
    expect(Object.fromEntries(body)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'c-1',
      client_id: 'vendor-app',
      client_secret: 's3cret',
      code_verifier: VERIFIER,
    });
  });

  it('says so when nothing tells who the user is', async () => {
    const client = new OAuthClient({
      tokenEndpoint: `${scripted.url}/token`,
      clientId: 'vendor-app',
      clientSecret: async () => 's',
      clientAuth: 'client_secret_basic',
      timeoutMs: 2000,
    });
    await expect(client.exchange({ callbackParams: { code: 'c-1' }, redirectUri: REDIRECT, codeVerifier: VERIFIER })).rejects.toMatchObject(
      {
        failure: 'malformed',
        message: 'the token response does not say who the user is: no ID token, no userinfo endpoint, no OAUTH_USER_ID_CLAIM',
      },
    );
  });
});
