/**
 * The driver as an OAuth 2.0 client of the vendor's authorization server, through oauth4webapi.
 * Any standards-compliant server works: its endpoints come from discovery (RFC 8414 / OIDC) or
 * are configured one by one.
 */
import * as oauth from 'oauth4webapi';
import type { OAuthUpstream, TokenRefresher, UpstreamGrant } from '../../domain/ports.ts';
import { UpstreamError } from '../../domain/upstream-error.ts';

export interface OAuthSettings {
  /** Discovery: the issuer identifier. Either this or the endpoints. */
  issuer?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
  userinfoEndpoint?: string | undefined;
  clientId: string;
  /** Resolved lazily: it may come from Secrets Manager. */
  clientSecret: () => Promise<string>;
  clientAuth: 'client_secret_basic' | 'client_secret_post';
  /** Requested at authorization; empty means the server's default. */
  scope?: string | undefined;
  /** A token-response field holding the user's id (e.g. `open_id`), for servers without ID tokens or userinfo. */
  userIdClaim?: string | undefined;
  timeoutMs: number;
}

export class OAuthClient implements TokenRefresher, OAuthUpstream {
  readonly #settings: OAuthSettings;
  #server: Promise<oauth.AuthorizationServer> | undefined;

  constructor(settings: OAuthSettings) {
    this.#settings = settings;
  }

  async refresh(refreshToken: string): Promise<UpstreamGrant> {
    const as = await this.#authorizationServer();
    const auth = await this.#clientAuth();
    const response = await this.#send(() => oauth.refreshTokenGrantRequest(as, this.#client, auth, refreshToken, this.#requestOptions()));
    try {
      return grantOf(await oauth.processRefreshTokenResponse(as, this.#client, response));
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
    const auth = await this.#clientAuth();
    let params: URLSearchParams;
    try {
      // The driver has already checked (and consumed) the state; this checks the rest, `iss` included (RFC 9207).
      params = oauth.validateAuthResponse(as, this.#client, new URLSearchParams(request.callbackParams), oauth.skipStateCheck);
    } catch (error) {
      throw classify(error);
    }
    const response = await this.#send(() =>
      oauth.authorizationCodeGrantRequest(
        as,
        this.#client,
        auth,
        params,
        request.redirectUri,
        request.codeVerifier,
        this.#requestOptions(),
      ),
    );
    let result: oauth.TokenEndpointResponse;
    try {
      result = await oauth.processAuthorizationCodeResponse(as, this.#client, response);
    } catch (error) {
      throw classify(error);
    }
    return { grant: grantOf(result), vendorUserId: await this.#userIdOf(as, result) };
  }

  /** Who the user is: a configured token-response field, the ID token's `sub`, or the userinfo endpoint's. */
  async #userIdOf(as: oauth.AuthorizationServer, result: oauth.TokenEndpointResponse): Promise<string> {
    const claim = this.#settings.userIdClaim;
    if (claim && result[claim] !== undefined && result[claim] !== null) return String(result[claim]);
    const sub = oauth.getValidatedIdTokenClaims(result)?.sub;
    if (sub) return sub;
    if (as.userinfo_endpoint) {
      const response = await this.#send(() => oauth.userInfoRequest(as, this.#client, result.access_token, this.#requestOptions()));
      try {
        const info = await oauth.processUserInfoResponse(as, this.#client, oauth.skipSubjectCheck, response);
        return info.sub;
      } catch (error) {
        throw classify(error);
      }
    }
    throw new UpstreamError(
      'malformed',
      'the token response does not say who the user is: no ID token, no userinfo endpoint, no OAUTH_USER_ID_CLAIM',
    );
  }

  get #client(): oauth.Client {
    return { client_id: this.#settings.clientId };
  }

  /** Sends a request; no answer, or a 5xx or 429 (a busy server, not a verdict), is `unavailable`. */
  async #send(request: () => Promise<Response>): Promise<Response> {
    let response: Response;
    try {
      response = await request();
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      throw unavailable(error);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new UpstreamError('unavailable', `authorization server answered HTTP ${response.status}`, {
        upstreamCode: String(response.status),
      });
    }
    return response;
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
      throw isNetworkFailure(error)
        ? unavailable(error)
        : new UpstreamError('malformed', `discovery at ${issuer} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async #clientAuth(): Promise<oauth.ClientAuth> {
    const secret = await this.#settings.clientSecret();
    return this.#settings.clientAuth === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
  }

  #requestOptions() {
    const insecure = [this.#settings.issuer, this.#settings.tokenEndpoint].some((url) => url?.startsWith('http://'));
    return {
      signal: () => AbortSignal.timeout(this.#settings.timeoutMs),
      // Plain http is only ever configured for a loopback server in local runs and tests.
      ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }
}

function grantOf(response: oauth.TokenEndpointResponse): UpstreamGrant {
  const { access_token, refresh_token, expires_in, ...extra } = response;
  const grant: UpstreamGrant = { accessToken: access_token, extra };
  if (refresh_token) grant.refreshToken = refresh_token;
  if (expires_in !== undefined) grant.expiresIn = expires_in;
  return grant;
}

function classify(error: unknown): UpstreamError {
  if (error instanceof oauth.ResponseBodyError) {
    const failure = error.error === 'invalid_grant' ? 'invalid_grant' : 'rejected';
    return new UpstreamError(failure, `token endpoint refused: ${error.error}`, { upstreamCode: error.error, cause: error });
  }
  if (isNetworkFailure(error)) return unavailable(error);
  if (error instanceof oauth.AuthorizationResponseError) {
    return new UpstreamError('rejected', `authorization refused: ${error.error}`, { upstreamCode: error.error, cause: error });
  }
  return new UpstreamError('malformed', `token endpoint answer unreadable: ${(error as Error).message}`, { cause: error });
}

const isAbort = (error: unknown): boolean => error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

/** fetch's own failures (no connection, reset, timeout), not a TypeError from a wrong argument. */
const isNetworkFailure = (error: unknown): boolean => isAbort(error) || (error instanceof TypeError && error.message === 'fetch failed');

const unavailable = (error: unknown): UpstreamError =>
  new UpstreamError('unavailable', isAbort(error) ? 'authorization server timed out' : 'authorization server unreachable', {
    cause: error,
  });
