/**
 * A sign-in at the vendor's authorization server, as both OAuth flows start and finish it: a pending
 * authorization keyed by the hash of a random `state`, a PKCE S256 verifier, and the code exchange.
 */
import { crypto } from '../../runtime/builtins.ts';
import type { AuthorizationStore, Clock, OAuthUpstream, PendingAuthorization, UpstreamGrant } from '../ports.ts';
import { kindOf, type UpstreamError } from '../upstream-error.ts';
import { hashToken, randomSecret } from '../vault/tokens.ts';

const { createHash } = crypto;

/** How long the person has to sign in upstream. */
const PENDING_TTL_S = 600;

export class UpstreamSignIn {
  readonly #upstream: OAuthUpstream;
  readonly #store: AuthorizationStore;
  readonly #clock: Clock;

  constructor(deps: { upstream: OAuthUpstream; store: AuthorizationStore; clock: Clock }) {
    this.#upstream = deps.upstream;
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** Stores a pending authorization for `target` and answers its state. */
  async begin(target: PendingAuthorization['target']): Promise<{ state: string; pending: PendingAuthorization }> {
    const state = randomSecret();
    const pending: PendingAuthorization = {
      stateHash: hashToken(state),
      codeVerifier: randomSecret(),
      target,
      expiresAt: this.#clock.now() + PENDING_TTL_S,
    };
    await this.#store.savePending(pending);
    return { state, pending };
  }

  /** The pending authorization, left in place; undefined if unknown, expired or used. */
  peek(state: string | undefined): Promise<PendingAuthorization | undefined> {
    return state ? this.#store.peekPending(hashToken(state), this.#clock.now()) : Promise.resolve(undefined);
  }

  /** The pending authorization, used up: a state works once. */
  consume(state: string | undefined): Promise<PendingAuthorization | undefined> {
    return state ? this.#store.consumePending(hashToken(state), this.#clock.now()) : Promise.resolve(undefined);
  }

  /** The vendor's authorization URL for this pending authorization. */
  authorizationUrl(state: string, pending: PendingAuthorization, redirectUri: string, extra?: Record<string, string>): Promise<string> {
    const codeChallenge = createHash('sha256').update(pending.codeVerifier).digest('base64url');
    return this.#upstream.authorizationUrl({ redirectUri, state, codeChallenge, ...(extra ? { extra } : {}) });
  }

  /** Exchanges the code the browser brought back. Throws UpstreamError. */
  exchange(
    callbackParams: Record<string, string>,
    pending: PendingAuthorization,
    redirectUri: string,
  ): Promise<{ grant: UpstreamGrant; vendorUserId: string }> {
    return this.#upstream.exchange({ callbackParams, redirectUri, codeVerifier: pending.codeVerifier });
  }
}

/**
 * The OAuth error (RFC 6749 §4.1.2.1) that tells the person what became of their sign-in, and whether
 * the account service refused it or answered in a way the driver could not read.
 */
export function exchangeError(error: UpstreamError): { error: string; error_description: string } {
  switch (kindOf(error.failure)) {
    case 'unavailable':
      return {
        error: 'temporarily_unavailable',
        error_description: 'The account service did not answer. Try linking again in a few minutes.',
      };
    case 'refused':
      return { error: 'server_error', error_description: 'The account service refused the sign-in. Try linking again.' };
    case 'unreadable':
      return {
        error: 'server_error',
        error_description:
          "The account service's answer could not be read, so the account was not linked. Try again later; if it keeps failing, tell the vendor.",
      };
  }
}
