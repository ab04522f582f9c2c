/**
 * Upstream OAuth grants for tests that need a linked account before the driver's own linking flow
 * is involved: the driver's OAuth client runs the code flow with PKCE, and the test browser signs in.
 */
import { createHash } from 'node:crypto';
import { OAuthClient } from '../../functions/adapters/oauth/oauth-client.ts';
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
  startOAuthServer({
    clients: [{ ...TEST_CLIENT, redirect_uris: [...TEST_CLIENT.redirect_uris], grant_types: [...TEST_CLIENT.grant_types] }],
    ...options,
  });

/** A PKCE verifier and its S256 challenge, fixed so a test can reuse them. */
export const PKCE = (() => {
  const verifier = 'dBjftJeZ4CVP-mJ0pAx4ZoUuIpF7y6UZ3lIRSFL5C4s';
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
})();

/**
 * The person's part of the code flow: from the client's authorize URL, sign in as the demo account
 * and stop at the redirect URI. Answers the callback's query (code, state, iss).
 */
export async function signIn(client: OAuthClient, redirectUri: string): Promise<Record<string, string>> {
  const url = await client.authorizationUrl({ redirectUri, state: 'st-1', codeChallenge: PKCE.challenge });
  const browser = new Browser();
  const atCallback = (u: URL) => u.toString().startsWith(redirectUri);
  const login = await browser.visit(url, atCallback);
  const fields = { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password };
  const back = await browser.submit(formAction(login), fields, atCallback);
  return Object.fromEntries(back.url.searchParams);
}

/** Signs the demo account in at the server and exchanges the code: what a linked account starts from. */
export async function grantFor(server: OAuthServer): Promise<{ sub: string; grant: UpstreamGrant }> {
  const client = new OAuthClient({
    issuer: server.issuer,
    clientId: TEST_CLIENT.client_id,
    clientSecret: async () => TEST_CLIENT.client_secret,
    clientAuth: 'client_secret_basic',
    scope: 'openid',
    timeoutMs: 2000,
  });
  const [redirectUri] = TEST_CLIENT.redirect_uris;
  const callbackParams = await signIn(client, redirectUri);
  const { grant, vendorUserId } = await client.exchange({ callbackParams, redirectUri, codeVerifier: PKCE.verifier });
  if (!grant.refreshToken) throw new Error('the test server issued no refresh token');
  return { sub: vendorUserId, grant };
}
