/**
 * The token endpoint (RFC 6749 §4.1.3, §5, §6) and the revocation endpoint (RFC 7009) of the driver's
 * OAuth 2.0 server. The tokens are the driver's own, as the command flows issue them: the access token
 * is a userToken, which /list and /execute take as they always have.
 */
import { crypto } from '../../runtime/builtins.ts';
import { EndpointBusyError, InvalidAuthorizationError } from '../errors.ts';
import type { AuthorizationStore, Clock, LinkStore } from '../ports.ts';
import type { LinkRevoker } from '../revocation/link-revoker.ts';
import { familyHashes } from '../vault/refresh-family.ts';
import type { TokenVault } from '../vault/token-vault.ts';
import { hashToken, linkIdOf, tokenMatches } from '../vault/tokens.ts';
import type { OAuth2Params } from './authorization-request.ts';
import { MAX_PARAM_LENGTH } from './authorization-request.ts';
import { OAuth2Error } from './oauth2-error.ts';
import { authenticateClient, type RegisteredClient } from './registered-client.ts';

const { createHash } = crypto;

/** §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface TokenRequest extends OAuth2Params {
  authorization: string | undefined;
}

export class TokenEndpoint {
  readonly #client: RegisteredClient;
  readonly #store: AuthorizationStore;
  readonly #links: LinkStore;
  readonly #vault: TokenVault;
  readonly #revoker: LinkRevoker;
  readonly #clock: Clock;

  constructor(deps: {
    client: RegisteredClient;
    store: AuthorizationStore;
    links: LinkStore;
    vault: TokenVault;
    revoker: LinkRevoker;
    clock: Clock;
  }) {
    this.#client = deps.client;
    this.#store = deps.store;
    this.#links = deps.links;
    this.#vault = deps.vault;
    this.#revoker = deps.revoker;
    this.#clock = deps.clock;
  }

  /** POST /oauth2/token. Throws OAuth2Error. */
  async token(request: TokenRequest): Promise<TokenResponse> {
    checkShape(request);
    await authenticateClient(this.#client, { authorization: request.authorization, params: request.values });
    const grantType = request.values['grant_type'];
    if (grantType === 'authorization_code') return this.#authorizationCode(request.values);
    if (grantType === 'refresh_token') return this.#refreshToken(request.values);
    if (grantType === undefined) throw new OAuth2Error('invalid_request', 'grant_type is missing.');
    throw new OAuth2Error('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
  }

  /** POST /oauth2/revoke: ends the link whose token this is. An unknown token is already as revoked as it gets (§2.2). */
  async revoke(request: TokenRequest): Promise<void> {
    checkShape(request);
    await authenticateClient(this.#client, { authorization: request.authorization, params: request.values });
    const token = request.values['token'];
    if (token === undefined) throw new OAuth2Error('invalid_request', 'token is missing.');
    const linkId = linkIdOf('hbu', token) ?? linkIdOf('hbr', token);
    if (!linkId) return;
    const link = await this.#links.header(linkId);
    // Possession first: a token that is not of the link's family revokes nothing.
    if (!link || !familyHashes(link, this.#clock.now()).some((hash) => hash !== undefined && tokenMatches(token, hash))) return;
    // The driver's tokens end at once; an upstream that fails is retried by the refresh job (§2.2 wants 200 either way).
    await this.#revoker.revokeLink(linkId, 'client');
  }

  async #authorizationCode(values: Record<string, string>): Promise<TokenResponse> {
    const code = values['code'];
    if (code === undefined) throw new OAuth2Error('invalid_request', 'code is missing.');
    const redeemed = await this.#store.redeemIssuedCode(hashToken(code), this.#clock.now());
    if (!redeemed) throw new OAuth2Error('invalid_grant', 'The code is unknown or has expired. Start the authorization again.');
    const { linkId, request } = redeemed.code;
    if (redeemed.replayed) {
      // §4.1.2: a code used twice may have been stolen; what it granted is revoked.
      await this.#revoker.revokeLink(linkId, 'client');
      throw new OAuth2Error('invalid_grant', 'The code was already used; the tokens issued for it are revoked.');
    }
    if (request.clientId !== this.#client.clientId) throw new OAuth2Error('invalid_grant', 'The code was issued to another client.');
    const redirectUri = values['redirect_uri'];
    if ((request.redirectUriSent || redirectUri !== undefined) && redirectUri !== request.redirectUri) {
      throw new OAuth2Error('invalid_grant', 'redirect_uri does not match the one in the authorization request.');
    }
    const verifier = values['code_verifier'];
    if (request.codeChallenge !== undefined) {
      if (verifier === undefined)
        throw new OAuth2Error('invalid_grant', 'code_verifier is required: the authorization request sent a code_challenge.');
      if (createHash('sha256').update(verifier).digest('base64url') !== request.codeChallenge) {
        throw new OAuth2Error('invalid_grant', 'code_verifier does not match the code_challenge.');
      }
    }
    try {
      return asTokenResponse(await this.#vault.reissue(linkId));
    } catch (error) {
      throw asGrantError(error);
    }
  }

  async #refreshToken(values: Record<string, string>): Promise<TokenResponse> {
    const refreshToken = values['refresh_token'];
    if (refreshToken === undefined) throw new OAuth2Error('invalid_request', 'refresh_token is missing.');
    try {
      return asTokenResponse(await this.#vault.rotate({ refreshToken }));
    } catch (error) {
      throw asGrantError(error);
    }
  }
}

/** §3.2: parameters sent twice are refused, and so is a parameter no honest client sends at that size. */
function checkShape(request: TokenRequest): void {
  if (request.repeated.length > 0)
    throw new OAuth2Error('invalid_request', `The parameter ${request.repeated[0]} was sent more than once.`);
  const long = Object.entries(request.values).find(([, value]) => value.length > MAX_PARAM_LENGTH);
  if (long) throw new OAuth2Error('invalid_request', `The parameter ${long[0]} is longer than ${MAX_PARAM_LENGTH} characters.`);
}

const asTokenResponse = (auth: { userToken: string; refreshToken: string; expiresIn: number }): TokenResponse => ({
  access_token: auth.userToken,
  token_type: 'Bearer',
  expires_in: auth.expiresIn,
  refresh_token: auth.refreshToken,
});

/** The vault's refusals in RFC terms: a dead link or a spent token is invalid_grant; a busy link asks for a retry. */
function asGrantError(error: unknown): unknown {
  if (error instanceof InvalidAuthorizationError) return new OAuth2Error('invalid_grant', error.message);
  if (error instanceof EndpointBusyError) return new OAuth2Error('temporarily_unavailable', error.message);
  return error;
}
