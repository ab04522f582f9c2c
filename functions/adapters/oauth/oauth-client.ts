/**
 * The driver as an OAuth 2.0 client of the vendor's authorization server, through oauth4webapi.
 * Any standards-compliant server works: its endpoints come from discovery (RFC 8414 / OIDC) or
 * are configured one by one.
 */
import * as oauth from 'oauth4webapi';
import type { TokenRefresher, UpstreamGrant } from '../../domain/ports.ts';
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
  timeoutMs: number;
}

export class OAuthClient implements TokenRefresher {
  readonly #settings: OAuthSettings;
  #server: Promise<oauth.AuthorizationServer> | undefined;

  constructor(settings: OAuthSettings) {
    this.#settings = settings;
  }

  async refresh(refreshToken: string): Promise<UpstreamGrant> {
    const as = await this.#authorizationServer();
    const client: oauth.Client = { client_id: this.#settings.clientId };
    const auth = await this.#clientAuth();
    let response: Response;
    try {
      response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, this.#requestOptions());
    } catch (error) {
      throw unavailable(error);
    }
    // oauth4webapi reads any non-200 as an OAuth error body; a 5xx or 429 is a busy server, not a verdict.
    if (response.status >= 500 || response.status === 429) {
      throw new UpstreamError('unavailable', `token endpoint answered HTTP ${response.status}`, {
        upstreamCode: String(response.status),
      });
    }
    try {
      return grantOf(await oauth.processRefreshTokenResponse(as, client, response));
    } catch (error) {
      throw classify(error);
    }
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
      throw error instanceof TypeError || isAbort(error)
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
  if (error instanceof TypeError || isAbort(error)) return unavailable(error);
  return new UpstreamError('malformed', `token endpoint answer unreadable: ${(error as Error).message}`, { cause: error });
}

const isAbort = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

const unavailable = (error: unknown): UpstreamError =>
  new UpstreamError('unavailable', isAbort(error) ? 'authorization server timed out' : 'authorization server unreachable', {
    cause: error,
  });
