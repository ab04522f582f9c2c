/**
 * A started authorization travels with the browser, not in the table: the `state` (or the sign-in form's
 * `request`) is the pending authorization itself, sealed (it holds the PKCE verifier) and dated. Nothing
 * is written for a request nobody signed in to; the table learns of a state only when it is used, once,
 * after the person signed in.
 *
 * Where the browser passes through the driver first, the state is also bound to it: a cookie of a name
 * of its own holds a random value whose hash the state carries, so a state copied into another browser
 * (a login CSRF) is refused at the callback.
 */
import type { AuthorizationStore, Clock, CredentialCipher, PendingAuthorization } from '../ports.ts';
import { hashToken, randomSecret, tokenMatches } from '../vault/tokens.ts';

/** How long the person has to sign in. */
export const PENDING_TTL_S = 600;

const PREFIX = 'ps1.';
/** Seals pending authorizations apart from every other sealed value. */
const CONTEXT = 'pending-authorization';

/** The cookie a bound state needs, for the HTTP side to set. */
export interface Binding {
  name: string;
  value: string;
  maxAgeS: number;
}

export class PendingStates {
  readonly #cipher: CredentialCipher;
  readonly #store: AuthorizationStore;
  readonly #clock: Clock;

  constructor(deps: { cipher: CredentialCipher; store: AuthorizationStore; clock: Clock }) {
    this.#cipher = deps.cipher;
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** A new pending authorization for `target`, expiring in 10 minutes. */
  create(target: PendingAuthorization['target']): PendingAuthorization {
    return { codeVerifier: randomSecret(), target, expiresAt: this.#clock.now() + PENDING_TTL_S };
  }

  /** The same authorization, bound to a browser by the cookie answered alongside. */
  bind(pending: PendingAuthorization): { pending: PendingAuthorization; binding: Binding } {
    const binding = { name: `hb_state_${randomSecret().slice(0, 12)}`, value: randomSecret() };
    const maxAgeS = Math.max(1, pending.expiresAt - this.#clock.now());
    return { pending: { ...pending, binding: { name: binding.name, hash: hashToken(binding.value) } }, binding: { ...binding, maxAgeS } };
  }

  async seal(pending: PendingAuthorization): Promise<string> {
    return `${PREFIX}${await this.#cipher.seal(JSON.stringify(pending), CONTEXT)}`;
  }

  /** The pending authorization a state holds; undefined if it is not one of ours, was altered, or has expired. */
  async open(state: string | undefined): Promise<PendingAuthorization | undefined> {
    if (!state?.startsWith(PREFIX) || state.length > 8192) return undefined;
    let pending: PendingAuthorization;
    try {
      pending = JSON.parse(await this.#cipher.open(state.slice(PREFIX.length), CONTEXT)) as PendingAuthorization;
    } catch {
      return undefined;
    }
    return pending.expiresAt > this.#clock.now() ? pending : undefined;
  }

  /**
   * Uses the state up: it must open, still be in time, be bound to a browser when `bound` says so and
   * then come with that browser's cookie, and not have been used before (one conditional write).
   * Undefined otherwise.
   */
  async consume(
    state: string | undefined,
    cookies: Record<string, string>,
    options: { bound: boolean },
  ): Promise<PendingAuthorization | undefined> {
    const pending = await this.open(state);
    if (!pending || !state) return undefined;
    // A flow that began in a browser must come back to it; a state never bound there is refused unused.
    if (options.bound && !pending.binding) return undefined;
    if (pending.binding) {
      const cookie = cookies[pending.binding.name];
      if (!cookie || !tokenMatches(cookie, pending.binding.hash)) return undefined;
    }
    return (await this.#store.useState(hashToken(state), pending.expiresAt)) ? pending : undefined;
  }
}
