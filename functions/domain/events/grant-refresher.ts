/**
 * Keeps Rokid's event tokens from lapsing (digest 7.2, step 4): each grant's token is refreshed before it expires,
 * by the refresh job and, when the gateway says a token has expired, at once. The same leases, backoff and failure
 * classes as a link's upstream token (functions/domain/refresh): only the lease holder presents the refresh token,
 * a transient failure backs off, and a refusal (invalid_grant) ends the grant, is counted, and is told to Rokid.
 */
import type { Clock, DiagnosticsLog } from '../ports.ts';
import { backoffDueAt, credentialsFrom, nextDueAt } from '../refresh/refreshed-credentials.ts';
import type { RefreshPolicy } from '../refresh/schedule.ts';
import { kindOf, UpstreamError } from '../upstream-error.ts';
import type { EventGrant, GrantEndReason } from './grant.ts';
import type { EventMetrics } from './metrics.ts';
import type { EventTokenIssuer, FailureReporter, GrantRefreshOutcome, GrantRefreshRequest, GrantRenewer, GrantStore } from './ports.ts';

export const isGrantDue = (grant: EventGrant, now: number): boolean =>
  grant.status === 'active' && grant.refreshDueAt !== undefined && grant.refreshDueAt <= now;

export class GrantRefresher implements GrantRenewer {
  readonly #grants: GrantStore;
  readonly #issuer: EventTokenIssuer;
  readonly #clock: Clock;
  readonly #policy: RefreshPolicy;
  readonly #metrics: EventMetrics;
  readonly #log: DiagnosticsLog;
  readonly #reporter: FailureReporter | undefined;
  readonly #random: () => number;

  constructor(deps: {
    grants: GrantStore;
    issuer: EventTokenIssuer;
    clock: Clock;
    policy: RefreshPolicy;
    metrics: EventMetrics;
    log: DiagnosticsLog;
    reporter?: FailureReporter;
    random?: () => number;
  }) {
    this.#grants = deps.grants;
    this.#issuer = deps.issuer;
    this.#clock = deps.clock;
    this.#policy = deps.policy;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
    this.#reporter = deps.reporter;
    this.#random = deps.random ?? Math.random;
  }

  get policy(): RefreshPolicy {
    return this.#policy;
  }

  /** When a new grant's token is next refreshed. */
  dueAt(grant: Pick<EventGrant, 'credentials' | 'lastRefreshedAt'>): number | undefined {
    return nextDueAt(grant.credentials, grant.lastRefreshedAt, this.#policy);
  }

  async refresh(key: string, request: GrantRefreshRequest): Promise<GrantRefreshOutcome> {
    const leasedAt = this.#clock.now();
    const grant = await this.#grants.acquireLease(key, { owner: request.owner, expiresAt: leasedAt + request.leaseS }, leasedAt);
    if (!grant) return (await this.#grants.get(key)) ? { kind: 'busy' } : { kind: 'gone' };
    if (!request.needed(grant, leasedAt)) {
      await this.#grants.releaseLease(key, request.owner);
      return { kind: 'not_needed', grant };
    }
    const refreshToken = grant.credentials.refreshToken;
    if (refreshToken === undefined) {
      // An older BearerToken grant: nothing can renew it, so a refused token is the end of it.
      return this.#end(grant, 'token_refused', request.owner);
    }
    try {
      const issued = await (request.upstreamSlot ?? ((work) => work()))(() => this.#issuer.refresh(refreshToken));
      const now = this.#clock.now();
      const credentials = credentialsFrom(issued, now);
      // A server that does not rotate keeps the refresh token it had.
      credentials.refreshToken ??= refreshToken;
      const { leaseOwner: _o, leaseExpiresAt: _e, refreshDueAt: _d, ...rest } = grant;
      const dueAt = nextDueAt(credentials, now, this.#policy);
      const next: EventGrant = {
        ...rest,
        credentials,
        lastRefreshedAt: now,
        refreshFailures: 0,
        ...(dueAt === undefined ? {} : { refreshDueAt: dueAt }),
        updatedAt: now,
        version: grant.version + 1,
      };
      if (!(await this.#grants.update(next, { leaseOwner: request.owner }))) {
        // The lease lapsed and another refresher went on; what it stored stands.
        this.#log.warn('A refreshed event token could not be stored: the grant changed under the lease', { grantKey: key });
        return { kind: 'busy' };
      }
      this.#metrics.grantRefreshed();
      return { kind: 'refreshed', grant: next };
    } catch (error) {
      if (!(error instanceof UpstreamError)) {
        await this.#grants.releaseLease(key, request.owner);
        throw error;
      }
      if (error.failure === 'invalid_grant') return this.#end(grant, 'refresh_refused', request.owner, error);
      return this.#backOff(grant, request.owner, error);
    }
  }

  /** Ends a grant (the gateway's 403, a revoked link): no more events are sent with it. */
  async end(grant: EventGrant, reason: GrantEndReason): Promise<void> {
    for (let current: EventGrant | undefined = grant, round = 0; current && current.status === 'active' && round < 3; round++) {
      if (await this.#grants.update(ended(current, reason, this.#clock.now()))) {
        this.#announceEnd(current, reason);
        return;
      }
      current = await this.#grants.get(grant.key);
    }
  }

  async #end(grant: EventGrant, reason: GrantEndReason, owner: string, error?: UpstreamError): Promise<GrantRefreshOutcome> {
    const next = ended(grant, reason, this.#clock.now());
    if (!(await this.#grants.update(next, { leaseOwner: owner }))) return { kind: 'busy' };
    this.#announceEnd(grant, reason, error);
    return { kind: 'ended', grant: next };
  }

  #announceEnd(grant: EventGrant, reason: GrantEndReason, error?: UpstreamError): void {
    this.#metrics.grantEnded(reason);
    this.#log.warn('A state-report grant ended: events for this Rokid user stop until they bind the skill again', {
      grantKey: grant.key,
      rokidUserId: grant.rokidUserId,
      vendorUserId: grant.vendorUserId,
      grantType: grant.type,
      reason,
      ...(error ? { failure: error.failure, upstreamCode: error.upstreamCode } : {}),
    });
    // Only a token Rokid refused is Rokid's to tell the user of; a revoked link is the user's own doing, and a 403
    // to a fresh token means the skill is off, which Rokid knows. Only a label Rokid confirmed is named: any vendor
    // user can label their AcceptGrant with someone else's Rokid userId, and must not get that user reported.
    const label = grant.labelVerified ? grant.rokidUserId : undefined;
    if (!this.#reporter || reason === 'link_revoked' || reason === 'gateway_forbidden') return;
    if (label === undefined) {
      this.#log.info('A dead event token is not told to Rokid (/report/failed): the grant has no confirmed Rokid userId', {
        grantKey: grant.key,
      });
      return;
    }
    this.#reporter.reportFailed(label).catch((failure: unknown) => {
      this.#log.warn("Telling Rokid of a dead event token failed (/report/failed); Rokid's own checks will find it", {
        rokidUserId: label,
        reason: failure instanceof Error ? failure.message : String(failure),
      });
    });
  }

  async #backOff(grant: EventGrant, owner: string, error: UpstreamError): Promise<GrantRefreshOutcome> {
    const now = this.#clock.now();
    const failures = grant.refreshFailures + 1;
    const { leaseOwner: _o, leaseExpiresAt: _e, ...rest } = grant;
    const next: EventGrant = {
      ...rest,
      refreshFailures: failures,
      refreshDueAt: backoffDueAt(now, failures, this.#policy, this.#random),
      updatedAt: now,
      version: grant.version + 1,
    };
    this.#metrics.grantRefreshFailed(kindOf(error.failure));
    this.#log.warn('Refreshing an event token failed; it is tried again with backoff', {
      grantKey: grant.key,
      failures,
      failure: error.failure,
      kind: kindOf(error.failure),
      upstreamCode: error.upstreamCode,
    });
    if (!(await this.#grants.update(next, { leaseOwner: owner }))) return { kind: 'busy' };
    return { kind: 'transient', grant: next };
  }
}

function ended(grant: EventGrant, reason: GrantEndReason, now: number): EventGrant {
  const { leaseOwner: _o, leaseExpiresAt: _e, refreshDueAt: _d, ...rest } = grant;
  return { ...rest, status: 'ended', endedBecause: reason, updatedAt: now, version: grant.version + 1 };
}

/** Unlinking or revoking a link ends the grants made with its token (functions/domain/revocation). */
export async function endGrantsOfLink(
  grants: GrantStore,
  refresher: GrantRefresher,
  link: { linkId: string; vendorUserId: string },
): Promise<void> {
  for (const grant of await grants.ofVendorUser(link.vendorUserId)) {
    if (grant.status === 'active' && grant.linkId === link.linkId) await refresher.end(grant, 'link_revoked');
  }
}
