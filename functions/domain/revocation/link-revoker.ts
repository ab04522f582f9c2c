import type { Clock, DiagnosticsLog, LinkStore, RevocationMetrics, UpstreamRevoker } from '../ports.ts';
import { backoffDueAt } from '../refresh/refreshed-credentials.ts';
import type { RefreshPolicy } from '../refresh/schedule.ts';
import { kindOf, UpstreamError } from '../upstream-error.ts';
import type { Link, UpstreamKind } from '../vault/link.ts';

export type RevocationOutcome =
  /** The link is gone, and so is its upstream grant where the upstream offers revocation. */
  | { kind: 'revoked'; linkId: string; upstream: 'revoked' | 'not_offered' }
  /**
   * The driver tokens are ended, but the upstream could not revoke its grant: the link stays (revoked,
   * in the due index) and the refresh job tries again with backoff.
   */
  | { kind: 'upstream_failed'; linkId: string; reason: string }
  /** No such link: never made, or already revoked and deleted. */
  | { kind: 'gone'; linkId: string };

/** How the upstream side of one revocation went. */
type Settled = Exclude<RevocationOutcome, { kind: 'gone' }>;

/**
 * Why a link is being revoked, for the log line: an operator's command, driver tokens that all expired,
 * the OAuth client (RFC 7009), or the job finishing a revocation that failed upstream before.
 */
export type RevocationCause = 'operator' | 'expired' | 'client' | 'retry';

/**
 * Ends links: the driver's tokens at once, then the upstream grant, then the stored credentials.
 *
 * The order is what makes it safe to repeat. Marking the link revoked (a conditional write) ends its
 * driver tokens before anything else happens; the upstream is asked next; only then is the item, with
 * its sealed credentials, deleted on condition that nobody wrote it meanwhile. A crash or an upstream
 * outage leaves a revoked link in the due index, and the refresh job finishes the work.
 */
export class LinkRevoker {
  readonly #links: LinkStore;
  readonly #upstreams: Partial<Record<UpstreamKind, UpstreamRevoker>>;
  readonly #clock: Clock;
  readonly #policy: RefreshPolicy;
  readonly #metrics: RevocationMetrics;
  readonly #log: DiagnosticsLog;
  readonly #random: () => number;
  readonly #endGrants: ((link: Link) => Promise<void>) | undefined;

  constructor(deps: {
    links: LinkStore;
    upstreams: Partial<Record<UpstreamKind, UpstreamRevoker>>;
    clock: Clock;
    policy: RefreshPolicy;
    metrics: RevocationMetrics;
    log: DiagnosticsLog;
    random?: () => number;
    /** Ends the state-report grants made with the link's token (when state reports are on). */
    endGrants?: (link: Link) => Promise<void>;
  }) {
    this.#endGrants = deps.endGrants;
    this.#random = deps.random ?? Math.random;
    this.#links = deps.links;
    this.#upstreams = deps.upstreams;
    this.#clock = deps.clock;
    this.#policy = deps.policy;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
  }

  /** Every link of one vendor user, one after another (a user has a handful). */
  async revokeVendorUser(vendorUserId: string, cause: RevocationCause): Promise<RevocationOutcome[]> {
    const outcomes: RevocationOutcome[] = [];
    for (const linkId of await this.#links.ofVendorUser(vendorUserId)) outcomes.push(await this.revokeLink(linkId, cause));
    return outcomes;
  }

  async revokeLink(linkId: string, cause: RevocationCause): Promise<RevocationOutcome> {
    const link = await this.#links.get(linkId);
    return link ? this.revoke(link, cause) : { kind: 'gone', linkId };
  }

  /** `link` as last read; every write is conditional on its version, and a lost race re-reads. */
  async revoke(link: Link, cause: RevocationCause): Promise<RevocationOutcome> {
    let current: Link | undefined = link;
    // A refresher that held the lease may still store rotated credentials on the revoked link; then
    // the delete misses, and those credentials are revoked too. Three rounds cover any such overlap.
    for (let round = 0; round < 3 && current; round++) {
      if (current.status !== 'revoked') {
        const now = this.#clock.now();
        const { leaseOwner: _owner, leaseExpiresAt: _expires, refreshDueAt: _due, ...rest } = current;
        const revoked: Link = { ...rest, status: 'revoked', refreshFailures: 0, updatedAt: now, version: current.version + 1 };
        if (!(await this.#links.update(revoked))) {
          current = await this.#links.get(link.linkId);
          continue;
        }
        current = revoked;
      }
      // Asked on every round, so a failure here is mended by the job's retry of the revocation.
      await this.#endGrants?.(current);
      const upstream = await this.#revokeUpstream(current, cause);
      if (upstream.kind === 'upstream_failed') return upstream;
      if (await this.#links.delete(current.linkId, current.version)) {
        this.#metrics.linkRevoked();
        this.#log.info('Link revoked', { linkId: current.linkId, upstream: current.upstream, upstreamGrant: upstream.upstream, cause });
        return upstream;
      }
      current = await this.#links.get(link.linkId);
    }
    return current
      ? this.#failed(current, cause, 'the link kept changing while it was being revoked')
      : { kind: 'gone', linkId: link.linkId };
  }

  async #revokeUpstream(link: Link, cause: RevocationCause): Promise<Settled> {
    const upstream = this.#upstreams[link.upstream];
    // A deployment that no longer has this upstream configured cannot revoke there; the driver's side still ends.
    if (!upstream) return { kind: 'revoked', linkId: link.linkId, upstream: 'not_offered' };
    try {
      return { kind: 'revoked', linkId: link.linkId, upstream: await upstream.revoke(link.credentials) };
    } catch (error) {
      if (error instanceof UpstreamError) this.#metrics.upstreamFailure(kindOf(error.failure));
      return this.#failed(link, cause, error instanceof Error ? error.message : String(error), error);
    }
  }

  async #failed(link: Link, cause: RevocationCause, reason: string, error?: unknown): Promise<Settled> {
    const now = this.#clock.now();
    const failures = link.refreshFailures + 1;
    // Filed in the due index for the retry; a lost race here only means someone else has filed it.
    await this.#links.update({
      ...link,
      refreshFailures: failures,
      refreshDueAt: backoffDueAt(now, failures, this.#policy, this.#random),
      updatedAt: now,
      version: link.version + 1,
    });
    this.#metrics.revocationFailed();
    this.#log.warn('The upstream grant could not be revoked; the driver tokens are ended and the refresh job will try again', {
      linkId: link.linkId,
      upstream: link.upstream,
      cause,
      failures,
      ...(error instanceof UpstreamError ? { failure: error.failure, kind: kindOf(error.failure), upstreamCode: error.upstreamCode } : {}),
      reason,
    });
    return { kind: 'upstream_failed', linkId: link.linkId, reason };
  }
}
