/**
 * The driver as an OAuth 2.0 client of the vendor's authorization server, through oauth4webapi. Its
 * endpoints come from discovery (RFC 8414 / OIDC) or are configured one by one. What vendors send that
 * the RFCs do not foresee is read at this edge: see vendor-fetch.ts and vendor-answers.ts.
 */
import * as oauth from 'oauth4webapi';
import type { OAuthUpstream, TokenRefresher, UpstreamGrant, UpstreamRevoker } from '../../domain/ports.ts';
import { UpstreamError } from '../../domain/upstream-error.ts';
import type { UpstreamCredentials } from '../../domain/vault/link.ts';
import { type ClientAuthMethod, clientAuthFor } from './client-auth.ts';
import { classify } from './failures.ts';
import type { VendorQuirks } from './vendor-answers.ts';
import { vendorFetch } from './vendor-fetch.ts';

export interface OAuthSettings extends VendorQuirks {
  /** Discovery: the issuer identifier. Either this or the endpoints. */
  issuer?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
  userinfoEndpoint?: string | undefined;
  /** RFC 7009; discovery's `revocation_endpoint` when unset. Neither: the server offers no revocation. */
  revocationEndpoint?: string | undefined;
  clientId: string;
  /** Resolved lazily: it may come from Secrets Manager. */
  clientSecret: () => Promise<string>;
  /** Unset: the first of basic and post that discovery lists, else basic. */
  clientAuth?: ClientAuthMethod | undefined;
  /** `GET` sends token requests with every parameter in the query. */
  tokenMethod?: 'POST' | 'GET';
  /** Requested at authorization; empty means the server's default. */
  scope?: string | undefined;
  /** Fixed parameters added to the authorization URL (Xiaomi's `skip_confirm`). */
  authorizeParams?: Record<string, string>;
  /** Token-response fields holding the user's id, tried in order (`openId`, `open_id`). */
  userIdClaims?: string[];
  /** The access token's lifetime when the server does not say. */
  defaultExpiresInS?: number | undefined;
  timeoutMs: number;
}

/** The recognised token types besides bearer and DPoP: the access token is an opaque credential either way. */
const RECOGNIZED_TOKEN_TYPES: oauth.RecognizedTokenTypes = { mac: () => undefined };

export class OAuthClient implements TokenRefresher, OAuthUpstream, UpstreamRevoker {
  readonly #settings: OAuthSettings;
  readonly #fetch: ReturnType<typeof vendorFetch>;
  #server: Promise<oauth.AuthorizationServer> | undefined;

  constructor(settings: OAuthSettings) {
    this.#settings = settings;
    this.#fetch = vendorFetch({ ...settings, tokenMethod: settings.tokenMethod ?? 'POST' });
  }

  /** The link's redirect_uri goes along: some servers (Xiaomi) want it on the refresh grant too. */
  async refresh(refreshToken: string, context: { redirectUri?: string | undefined } = {}): Promise<UpstreamGrant> {
    const as = await this.#authorizationServer();
    const auth = await this.#clientAuth(as);
    const options = {
      ...this.#requestOptions(),
      ...(context.redirectUri ? { additionalParameters: { redirect_uri: context.redirectUri } } : {}),
    };
    try {
      const response = await oauth.refreshTokenGrantRequest(as, this.#client, auth, refreshToken, options);
      return this.#grantOf(
        await oauth.processRefreshTokenResponse(as, this.#client, response, { recognizedTokenTypes: RECOGNIZED_TOKEN_TYPES }),
      );
    } catch (error) {
      throw classify(error);
    }
  }

  /**
   * RFC 7009. The refresh token goes when there is one: revoking it ends the whole grant (§2.1), and
   * an access token alone may outlive its revocation at servers that issue self-contained ones.
   */
  async revoke(credentials: UpstreamCredentials): Promise<'revoked' | 'not_offered'> {
    const as = await this.#authorizationServer();
    const endpoint = this.#settings.revocationEndpoint ?? as.revocation_endpoint;
    if (!endpoint) return 'not_offered';
    const auth = await this.#clientAuth(as);
    const [token, hint] = credentials.refreshToken
      ? [credentials.refreshToken, 'refresh_token']
      : [credentials.accessToken, 'access_token'];
    try {
      const response = await oauth.revocationRequest({ ...as, revocation_endpoint: endpoint }, this.#client, auth, token, {
        ...this.#requestOptions(),
        additionalParameters: { token_type_hint: hint },
      });
      await oauth.processRevocationResponse(response);
      return 'revoked';
    } catch (error) {
      throw classify(error);
    }
  }

  async authorizationUrl(request: {
    redirectUri: string;
    state: string;
    codeChallenge: string;
    extra?: Record<string, string>;
  }): Promise<string> {
    const as = await this.#authorizationServer();
    if (!as.authorization_endpoint) {
      throw new UpstreamError('malformed', 'the authorization server has no authorization endpoint (set OAUTH_AUTHORIZATION_ENDPOINT)');
    }
    const url = new URL(as.authorization_endpoint);
    const params: Record<string, string> = {
      ...this.#settings.authorizeParams,
      response_type: 'code',
      client_id: this.#settings.clientId,
      redirect_uri: request.redirectUri,
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...(this.#settings.scope ? { scope: this.#settings.scope } : {}),
      ...request.extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  async exchange(request: {
    callbackParams: Record<string, string>;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<{ grant: UpstreamGrant; vendorUserId: string }> {
    const as = await this.#authorizationServer();
    const auth = await this.#clientAuth(as);
    try {
      // The driver has already checked (and consumed) the state; this checks the rest, `iss` included (RFC 9207).
      const params = oauth.validateAuthResponse(as, this.#client, new URLSearchParams(request.callbackParams), oauth.skipStateCheck);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        this.#client,
        auth,
        params,
        request.redirectUri,
        request.codeVerifier,
        this.#requestOptions(),
      );
      const result = await oauth.processAuthorizationCodeResponse(as, this.#client, response, {
        recognizedTokenTypes: RECOGNIZED_TOKEN_TYPES,
      });
      return { grant: this.#grantOf(result), vendorUserId: await this.#userIdOf(as, result) };
    } catch (error) {
      throw classify(error);
    }
  }

  /** Who the user is: a configured token-response field, the ID token's `sub`, or the userinfo endpoint's. */
  async #userIdOf(as: oauth.AuthorizationServer, result: oauth.TokenEndpointResponse): Promise<string> {
    for (const claim of this.#settings.userIdClaims ?? []) {
      const value = result[claim];
      if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
    }
    const sub = oauth.getValidatedIdTokenClaims(result)?.sub;
    if (sub) return sub;
    if (as.userinfo_endpoint) {
      const response = await oauth.userInfoRequest(as, this.#client, result.access_token, this.#requestOptions());
      const info = await oauth.processUserInfoResponse(as, this.#client, oauth.skipSubjectCheck, response);
      return info.sub;
    }
    const claims = this.#settings.userIdClaims ?? [];
    const missing = claims.length === 0 ? 'no OAUTH_USER_ID_CLAIM' : `and none of ${claims.join(', ')} in it`;
    throw new UpstreamError('malformed', `the token response does not say who the user is: no ID token, no userinfo endpoint, ${missing}`);
  }

  #grantOf(response: oauth.TokenEndpointResponse): UpstreamGrant {
    const { access_token, refresh_token, expires_in, ...extra } = response;
    const grant: UpstreamGrant = { accessToken: access_token, extra };
    if (refresh_token) grant.refreshToken = refresh_token;
    const expiresIn = expires_in ?? this.#settings.defaultExpiresInS;
    if (expiresIn !== undefined) grant.expiresIn = Math.floor(expiresIn);
    return grant;
  }

  get #client(): oauth.Client {
    return { client_id: this.#settings.clientId };
  }

  /** Discovered once per container and kept; a failed discovery is retried on the next call. */
  #authorizationServer(): Promise<oauth.AuthorizationServer> {
    this.#server ??= this.#discover().catch((error: unknown) => {
      this.#server = undefined;
      throw error;
    });
    return this.#server;
  }

  async #discover(): Promise<oauth.AuthorizationServer> {
    const { issuer, authorizationEndpoint, tokenEndpoint, userinfoEndpoint } = this.#settings;
    // Configured endpoints stand alone; the revocation endpoint is read where it is used.
    if (!issuer) {
      return {
        issuer: new URL(tokenEndpoint ?? '').origin,
        ...(authorizationEndpoint ? { authorization_endpoint: authorizationEndpoint } : {}),
        ...(tokenEndpoint ? { token_endpoint: tokenEndpoint } : {}),
        ...(userinfoEndpoint ? { userinfo_endpoint: userinfoEndpoint } : {}),
      };
    }
    const url = new URL(issuer);
    try {
      const response = await oauth.discoveryRequest(url, { ...this.#requestOptions(), algorithm: 'oidc' });
      if (response.status >= 500 || response.status === 429) {
        throw new UpstreamError('unavailable', `discovery answered HTTP ${response.status}`);
      }
      return await oauth.processDiscoveryResponse(url, response);
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError('malformed', `discovery at ${issuer} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async #clientAuth(as: oauth.AuthorizationServer): Promise<oauth.ClientAuth> {
    return clientAuthFor(this.#settings.clientAuth, as, await this.#settings.clientSecret());
  }

  #requestOptions() {
    const insecure = [this.#settings.issuer, this.#settings.tokenEndpoint, this.#settings.revocationEndpoint].some((url) =>
      url?.startsWith('http://'),
    );
    return {
      [oauth.customFetch]: this.#fetch,
      // Plain http is only ever configured for a loopback server in local runs and tests.
      ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }
}
