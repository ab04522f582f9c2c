import type { Clock, DiagnosticsLog, LinkStore, RefreshMetrics, TokenRefresher, UpstreamGrant } from '../ports.ts';
import { kindOf, UpstreamError } from '../upstream-error.ts';
import type { Link, UpstreamCredentials, UpstreamKind } from '../vault/link.ts';
import { backoffDueAt, nextDueAt } from './refreshed-credentials.ts';
import { hasExpired, type RefreshPolicy } from './schedule.ts';
import type { Limiter } from './semaphore.ts';

export type RefreshOutcome =
  /** New upstream credentials are stored. */
  | { kind: 'refreshed'; link: Link }
  /** Once leased, the link turned out not to need it: someone else refreshed it first. */
  | { kind: 'not_needed'; link: Link }
  /** Another refresher holds the lease. */
  | { kind: 'busy' }
  /** The upstream could not be asked or did not answer; the link keeps its tokens and backs off. */
  | { kind: 'transient'; link: Link }
  /** The upstream refused the refresh token for good; the user has to link again. */
  | { kind: 'needs_relink'; link: Link };

export interface RefreshRequest {
  /** Identifies this attempt in the lease; unique per invocation and attempt (a store renews a lease for the same owner). */
  owner: string;
  /** How long the lease may last: the caller's remaining time, so a crashed holder is taken over soon after. */
  leaseS: number;
  /** Re-checked on the link as read under the lease; false means the work has been done already. */
  needed(link: Link, now: number): boolean;
  /** Bounds concurrent upstream calls across a batch; the store round trips stay outside it. */
  upstreamSlot?: Limiter;
}

/**
 * Refreshes one link's upstream credentials, once, however many invocations ask at the same time.
 *
 * A refresh token is single-use at rotating providers, and presenting a used one can revoke the
 * whole grant. So only the holder of a lease (a conditional write in the store, not a lock in this
 * process) may present it, the link is re-read under the lease, and the result is written back on
 * condition that the lease and the version are unchanged.
 */
export class LinkRefresher {
  readonly #links: LinkStore;
  readonly #upstreams: Partial<Record<UpstreamKind, TokenRefresher>>;
  readonly #clock: Clock;
  readonly #policy: RefreshPolicy;
  readonly #metrics: RefreshMetrics;
  readonly #log: DiagnosticsLog;
  readonly #random: () => number;

  constructor(deps: {
    links: LinkStore;
    upstreams: Partial<Record<UpstreamKind, TokenRefresher>>;
    clock: Clock;
    policy: RefreshPolicy;
    metrics: RefreshMetrics;
    log: DiagnosticsLog;
    random?: () => number;
  }) {
    this.#links = deps.links;
    this.#upstreams = deps.upstreams;
    this.#clock = deps.clock;
    this.#policy = deps.policy;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
    this.#random = deps.random ?? Math.random;
  }

  get policy(): RefreshPolicy {
    return this.#policy;
  }

  async refresh(linkId: string, request: RefreshRequest): Promise<RefreshOutcome> {
    const leasedAt = this.#clock.now();
    const link = await this.#links.acquireLease(linkId, { owner: request.owner, expiresAt: leasedAt + request.leaseS }, leasedAt);
    if (!link) return { kind: 'busy' };
    if (!request.needed(link, leasedAt)) {
      await this.#links.releaseLease(linkId, request.owner);
      return { kind: 'not_needed', link };
    }

    const refreshToken = link.credentials.refreshToken;
    const upstream = this.#upstreams[link.upstream];
    if (refreshToken === undefined) {
      // Nothing to refresh with: the token is good until it expires, and then the user must link again.
      if (hasExpired(link.credentials, leasedAt)) {
        return this.#needsRelink(link, request.owner, 'the upstream token expired and there is no refresh token');
      }
      await this.#links.releaseLease(linkId, request.owner);
      return { kind: 'not_needed', link };
    }
    if (!upstream) {
      // A deployment without this upstream configured is the operators' mistake, not the user's.
      return this.#transient(link, request.owner, new Error(`no ${link.upstream} upstream is configured`));
    }

    let grant: UpstreamGrant;
    try {
      const context = { redirectUri: link.upstreamRedirectUri };
      grant = request.upstreamSlot
        ? await request.upstreamSlot(() => upstream.refresh(refreshToken, context))
        : await upstream.refresh(refreshToken, context);
    } catch (error) {
      if (error instanceof UpstreamError && error.failure === 'invalid_grant') {
        return this.#needsRelink(link, request.owner, error.message, error.upstreamCode);
      }
      // Timeouts, resets, 5xx, 429, unreadable answers and refusals of the client itself: the
      // request may even have reached the upstream, so the stored refresh token stays until a
      // successful answer replaces it.
      return this.#transient(link, request.owner, error);
    }
    return this.#store(link, refreshToken, grant, request.owner);
  }

  async #store(link: Link, presented: string, grant: UpstreamGrant, owner: string): Promise<RefreshOutcome> {
    const now = this.#clock.now();
    const credentials = renewed(link.credentials, grant, now);
    let base = link;
    let leaseOwner: string | undefined = owner;
    // Up to three tries: the write only fails if the lease ran out mid-refresh, and the new tokens
    // must not be dropped while the stored ones are still those presented.
    for (let attempt = 0; attempt < 3; attempt++) {
      const next: Link = withoutLease({
        ...base,
        credentials,
        lastRefreshedAt: now,
        refreshFailures: 0,
        refreshDueAt: nextDueAt(credentials, now, this.#policy),
        updatedAt: now,
        version: base.version + 1,
      });
      if (await this.#links.update(next, leaseOwner === undefined ? {} : { leaseOwner })) {
        this.#metrics.refreshed(Math.max(0, now - (link.refreshDueAt ?? now)));
        this.#log.info('Refreshed upstream credentials', {
          linkId: link.linkId,
          upstream: link.upstream,
          expiresAt: credentials.expiresAt,
        });
        return { kind: 'refreshed', link: next };
      }
      const current = await this.#links.get(link.linkId);
      if (!current || current.credentials.refreshToken !== presented) break;
      base = current;
      leaseOwner = undefined;
    }
    this.#log.warn('Refreshed upstream credentials could not be stored: another writer replaced them', { linkId: link.linkId });
    this.#metrics.transientFailure();
    return { kind: 'transient', link };
  }

  async #transient(link: Link, owner: string, error: unknown): Promise<RefreshOutcome> {
    const now = this.#clock.now();
    const failures = link.refreshFailures + 1;
    const next = withoutLease({
      ...link,
      refreshFailures: failures,
      refreshDueAt: backoffDueAt(now, failures, this.#policy, this.#random),
      updatedAt: now,
      version: link.version + 1,
    });
    const stored = await this.#links.update(next, { leaseOwner: owner });
    this.#metrics.transientFailure();
    if (error instanceof UpstreamError) this.#metrics.upstreamFailure(kindOf(error.failure));
    this.#log.warn('Upstream refresh failed; will retry', {
      linkId: link.linkId,
      upstream: link.upstream,
      failure: error instanceof UpstreamError ? error.failure : 'error',
      ...(error instanceof UpstreamError ? { kind: kindOf(error.failure), upstreamCode: error.upstreamCode } : {}),
      reason: error instanceof Error ? error.message : String(error),
      failures,
      retryAt: next.refreshDueAt,
    });
    return { kind: 'transient', link: stored ? next : link };
  }

  async #needsRelink(link: Link, owner: string, reason: string, upstreamCode?: string): Promise<RefreshOutcome> {
    const now = this.#clock.now();
    const next = withoutLease({ ...link, status: 'needs_relink', refreshDueAt: undefined, updatedAt: now, version: link.version + 1 });
    const stored = await this.#links.update(next, { leaseOwner: owner });
    this.#metrics.needsRelink();
    this.#log.warn('Upstream refused the refresh token; the user must link the account again', {
      linkId: link.linkId,
      upstream: link.upstream,
      reason,
      ...(upstreamCode === undefined ? {} : { upstreamCode }),
    });
    return { kind: 'needs_relink', link: stored ? next : link };
  }
}

/**
 * The upstream's new credentials over the old. A response without a refresh token keeps the stored
 * one (RFC 6749 §6 lets the server keep it unchanged), and extra fields are merged, not replaced.
 */
export function renewed(previous: UpstreamCredentials, grant: UpstreamGrant, now: number): UpstreamCredentials {
  const credentials: UpstreamCredentials = {
    accessToken: grant.accessToken,
    extra: { ...previous.extra, ...grant.extra },
  };
  const refreshToken = grant.refreshToken ?? previous.refreshToken;
  if (refreshToken !== undefined) credentials.refreshToken = refreshToken;
  if (grant.expiresIn !== undefined) credentials.expiresAt = now + grant.expiresIn;
  return credentials;
}

function withoutLease(link: Link): Link {
  const { leaseOwner: _owner, leaseExpiresAt: _expires, refreshDueAt, ...rest } = link;
  return refreshDueAt === undefined ? rest : { ...rest, refreshDueAt };
}
