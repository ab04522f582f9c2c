/**
 * Upstream OAuth grants for tests that need a linked account before the driver's own linking flow
 * is involved: the authorization code flow with PKCE, walked by the test browser.
 */
import * as oauth from 'oauth4webapi';
import type { UpstreamGrant } from '../../functions/domain/ports.ts';
import { DEMO_OAUTH_ACCOUNT, type OAuthServer, startOAuthServer } from '../../lib/local/oauth-server.ts';
import { Browser, formAction } from './browser.ts';

export const TEST_CLIENT = {
  client_id: 'homebase-driver',
  client_secret: 'test-client-secret',
  redirect_uris: ['http://127.0.0.1:9/oauth/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
} as const;

export const startTestOAuthServer = (options: { accessTokenTtlS?: number } = {}) =>
  startOAuthServer({ clients: [{ ...TEST_CLIENT, redirect_uris: [...TEST_CLIENT.redirect_uris], grant_types: [...TEST_CLIENT.grant_types] }], ...options });

/** Signs the demo account in at the server and exchanges the code: what a linked account starts from. */
export async function grantFor(server: OAuthServer): Promise<{ sub: string; grant: UpstreamGrant }> {
  const issuer = new URL(server.issuer);
  const insecure = { [oauth.allowInsecureRequests]: true };
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client: oauth.Client = { client_id: TEST_CLIENT.client_id };
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const [redirectUri] = TEST_CLIENT.redirect_uris;
  const authorize = new URL(as.authorization_endpoint!);
  authorize.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();

  const browser = new Browser();
  const atCallback = (url: URL) => url.toString().startsWith(redirectUri);
  const login = await browser.visit(authorize.toString(), atCallback);
  const done = await browser.submit(formAction(login), { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password }, atCallback);
  const params = oauth.validateAuthResponse(as, client, done.url, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(TEST_CLIENT.client_secret), params, redirectUri, verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  const { access_token, refresh_token, expires_in, ...extra } = tokens;
  if (!refresh_token) throw new Error('the test server issued no refresh token');
  return {
    sub: oauth.getValidatedIdTokenClaims(tokens)?.sub ?? DEMO_OAUTH_ACCOUNT.accountId,
    grant: { accessToken: access_token, refreshToken: refresh_token, ...(expires_in === undefined ? {} : { expiresIn: expires_in }), extra },
  };
}
