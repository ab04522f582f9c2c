import type { Clock, DiagnosticsLog, LinkStore } from '../ports.ts';
import type { LinkRevoker } from '../revocation/link-revoker.ts';
import type { Link } from '../vault/link.ts';
import type { LinkRefresher, RefreshOutcome } from './link-refresher.ts';
import { isDue, needsRetiring } from './schedule.ts';
import { limiter } from './semaphore.ts';

export interface RefreshReport {
  /** New upstream credentials stored. */
  refreshed: number;
  /** A transient failure; the link backs off and is tried again later. */
  failed: number;
  /** Refused for good; the link left the due index and its user must link again. */
  needsRelink: number;
  /** Another refresher held the link, so this run left it alone. */
  deferred: number;
  /** Already refreshed by someone else by the time this run got to it. */
  skipped: number;
  /** Driver tokens all expired (or the link revoked): the upstream grant revoked and the link deleted. */
  retired: number;
  /** Retiring failed upstream; the link stays revoked and is tried again with backoff. */
  retireFailed: number;
  /** The run stopped taking work because its time was running out; the rest waits for the next run. */
  stoppedEarly: boolean;
}

export interface JobSettings {
  /**
   * How many upstream refresh calls run at once (REFRESH_CONCURRENCY): the load the vendor sees.
   * Twice as many workers run, so each one's DynamoDB round trips overlap another's upstream call.
   */
  concurrency: number;
  /** Stop taking new links when less than this remains: one upstream call's worst case plus the write-back. */
  reserveMs: number;
}

/** A run's report before it has done anything. */
export const emptyReport = (): RefreshReport => ({
  refreshed: 0,
  failed: 0,
  needsRelink: 0,
  deferred: 0,
  skipped: 0,
  retired: 0,
  retireFailed: 0,
  stoppedEarly: false,
});

/** Refresh work that is not worth doing: the link's driver tokens have expired, so it is retired instead. */
const worthRefreshing = (link: Link, now: number): boolean => isDue(link, now) && !needsRetiring(link, now);

/**
 * The scheduled refresh: every link due by now, read from the due index (never a table scan), each
 * refreshed under its lease by a bounded pool of workers. A link nobody can use any more (its driver
 * tokens expired, or an operator revoked it) is retired: its upstream grant revoked, then deleted.
 */
export class RefreshJob {
  readonly #links: LinkStore;
  readonly #refresher: LinkRefresher;
  readonly #clock: Clock;
  readonly #settings: JobSettings;
  readonly #log: DiagnosticsLog;
  readonly #revoker: LinkRevoker;

  constructor(deps: {
    links: LinkStore;
    refresher: LinkRefresher;
    revoker: LinkRevoker;
    clock: Clock;
    settings: JobSettings;
    log: DiagnosticsLog;
  }) {
    this.#log = deps.log;
    this.#revoker = deps.revoker;
    this.#links = deps.links;
    this.#refresher = deps.refresher;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
  }

  async run(invocation: { requestId: string; remainingMs(): number }): Promise<RefreshReport> {
    const report = emptyReport();
    // An async generator queues concurrent next() calls, so the workers can share it safely.
    const due = this.#links.due(this.#clock.now())[Symbol.asyncIterator]();
    let attempt = 0;
    const upstreamSlot = limiter(this.#settings.concurrency);

    const worker = async (): Promise<void> => {
      for (;;) {
        if (invocation.remainingMs() < this.#settings.reserveMs) {
          report.stoppedEarly = true;
          return;
        }
        const next = await due.next();
        if (next.done) return;
        let outcome: RefreshOutcome;
        try {
          outcome = await this.#refresher.refresh(next.value, {
            owner: `job:${invocation.requestId}:${attempt++}`,
            leaseS: Math.max(5, Math.ceil(invocation.remainingMs() / 1000)),
            needed: worthRefreshing,
            upstreamSlot,
          });
          if (outcome.kind === 'not_needed' && needsRetiring(outcome.link, this.#clock.now())) {
            const link = outcome.link;
            const retired = await upstreamSlot(() => this.#revoker.revoke(link, link.status === 'revoked' ? 'retry' : 'expired'));
            if (retired.kind === 'upstream_failed') report.retireFailed++;
            else report.retired++;
            continue;
          }
        } catch (error) {
          // The store failed under this one link; its lease runs out and the next run retries it.
          report.failed++;
          this.#log.warn('Refreshing a link failed in the store', {
            linkId: next.value,
            reason: error instanceof Error ? error.name : String(error),
          });
          continue;
        }
        if (outcome.kind === 'refreshed') report.refreshed++;
        else if (outcome.kind === 'transient') report.failed++;
        else if (outcome.kind === 'needs_relink') report.needsRelink++;
        else if (outcome.kind === 'busy') report.deferred++;
        else report.skipped++;
      }
    };
    try {
      await Promise.all(Array.from({ length: this.#settings.concurrency * 2 }, worker));
    } finally {
      await due.return?.();
    }
    return report;
  }
}
