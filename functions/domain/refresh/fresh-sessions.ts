import { DriverTimeoutError, InvalidAuthorizationError, ServerUnreachableError } from '../errors.ts';
import type { Clock, CloudSession, LinkHeader, LinkStore } from '../ports.ts';
import type { Link } from '../vault/link.ts';
import { sessionOf } from '../vault/sessions.ts';
import { RELINK, type TokenVault } from '../vault/token-vault.ts';
import type { LinkRefresher } from './link-refresher.ts';
import { expiresSoon, hasExpired } from './schedule.ts';

export interface Invocation {
  /** Names the lease, so a log line can tell which invocation held it. */
  requestId: string;
  /** The Lambda's remaining time: the lease must not outlive the invocation by much. */
  remainingMs(): number;
}

/**
 * Opens a device-cloud session for /list and /execute: authenticates Homebase's userAuth and, when the
 * upstream token has expired or is about to, refreshes it first. The refresh shares the job's lease,
 * so an invocation that finds another one refreshing waits briefly for its result instead of
 * presenting the same refresh token again.
 */
export class FreshSessions {
  readonly #vault: TokenVault;
  readonly #links: LinkStore;
  readonly #refresher: LinkRefresher;
  readonly #clock: Clock;
  readonly #waitMs: number;
  readonly #pollMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Makes each refresh's lease owner its own: a store renews a lease for its owner (a retried write), never for a second refresh. */
  #refreshes = 0;

  constructor(deps: {
    vault: TokenVault;
    links: LinkStore;
    refresher: LinkRefresher;
    clock: Clock;
    /** How long to wait for another invocation's refresh. */
    waitMs?: number;
    pollMs?: number;
    sleep?: (ms: number) => Promise<void>;
  }) {
    this.#vault = deps.vault;
    this.#links = deps.links;
    this.#refresher = deps.refresher;
    this.#clock = deps.clock;
    this.#waitMs = deps.waitMs ?? 3000;
    this.#pollMs = deps.pollMs ?? 100;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async open(userAuth: { userId?: string | undefined; userToken: string }, invocation: Invocation): Promise<CloudSession> {
    const { link, session } = await this.#vault.authenticate(userAuth);
    const policy = this.#refresher.policy;
    // Fresh: the credentials stay sealed until a device cloud asks for them.
    if (!expiresSoon(link.credentials, this.#clock.now(), policy)) return session;

    const outcome = await this.#refresher.refresh(link.linkId, {
      owner: `inline:${invocation.requestId}:${++this.#refreshes}`,
      leaseS: Math.max(5, Math.ceil(invocation.remainingMs() / 1000)),
      needed: (current, now) => current.status === 'active' && expiresSoon(current.credentials, now, policy),
    });
    switch (outcome.kind) {
      case 'refreshed':
      case 'not_needed':
        return this.#usable(outcome.link);
      case 'needs_relink':
        throw new InvalidAuthorizationError(RELINK);
      case 'transient':
        return this.#usable(outcome.link, () => {
          throw new ServerUnreachableError('Your account service cannot be reached to renew your sign-in. Try again in a few minutes.');
        });
      case 'busy':
        return this.#usable(await this.#awaitOtherRefresher(link, invocation), () => {
          throw new DriverTimeoutError('Your sign-in is being renewed and it is taking longer than usual. Try again in a moment.');
        });
    }
  }

  /** Polls the link until the other refresher's lease is gone, within the wait budget. */
  async #awaitOtherRefresher(link: LinkHeader, invocation: Invocation): Promise<Link> {
    const budget = Math.min(this.#waitMs, invocation.remainingMs() - 1000);
    let current: Link | undefined;
    for (let waited = 0; waited < budget; waited += this.#pollMs) {
      await this.#sleep(this.#pollMs);
      current = (await this.#links.get(link.linkId)) ?? current;
      const leased = current?.leaseExpiresAt !== undefined && current.leaseExpiresAt > this.#clock.now();
      if (!leased) break;
    }
    return current ?? { ...link, credentials: await link.openCredentials() };
  }

  /** The link's session if its token can still be used; otherwise what `unusable` throws. */
  #usable(link: Link, unusable?: () => never): CloudSession {
    if (link.status !== 'active') throw new InvalidAuthorizationError(RELINK);
    if (unusable && hasExpired(link.credentials, this.#clock.now())) unusable();
    return sessionOf(link);
  }
}
