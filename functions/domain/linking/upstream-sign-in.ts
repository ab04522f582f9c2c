/**
 * A sign-in at the vendor's authorization server, as both OAuth flows start and finish it: a pending
 * authorization sealed in the `state` (pending-states.ts), a PKCE S256 verifier, and the code exchange.
 */
import { crypto } from '../../runtime/builtins.ts';
import type { OAuthUpstream, PendingAuthorization, UpstreamGrant } from '../ports.ts';
import { kindOf, type UpstreamError } from '../upstream-error.ts';
import type { Binding, PendingStates } from './pending-states.ts';

const { createHash } = crypto;

export class UpstreamSignIn {
  readonly #upstream: OAuthUpstream;
  readonly #states: PendingStates;

  constructor(deps: { upstream: OAuthUpstream; states: PendingStates }) {
    this.#upstream = deps.upstream;
    this.#states = deps.states;
  }

  /**
   * A pending authorization for `target`, sealed into its state. `bind`: the browser is here, so the
   * state is tied to it by the cookie answered alongside. Nothing is stored.
   */
  async begin(
    target: PendingAuthorization['target'],
    options: { bind: boolean },
  ): Promise<{ state: string; pending: PendingAuthorization; binding?: Binding }> {
    const created = this.#states.create(target);
    return options.bind ? this.bind(created) : { state: await this.#states.seal(created), pending: created };
  }

  /** The same authorization, now tied to the browser that brought its unbound state. */
  async bind(pending: PendingAuthorization): Promise<{ state: string; pending: PendingAuthorization; binding: Binding }> {
    const bound = this.#states.bind(pending);
    return { state: await this.#states.seal(bound.pending), ...bound };
  }

  /** The pending authorization a state holds, left usable; undefined if altered or expired. */
  peek(state: string | undefined): Promise<PendingAuthorization | undefined> {
    return this.#states.open(state);
  }

  /** The pending authorization, used up: a state works once, and a bound one only with its cookie. */
  consume(
    state: string | undefined,
    cookies: Record<string, string>,
    options: { bound: boolean },
  ): Promise<PendingAuthorization | undefined> {
    return this.#states.consume(state, cookies, options);
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
