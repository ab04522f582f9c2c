/**
 * The refresh job's second half: every grant whose event token is due, from the due index, refreshed under its
 * lease by a bounded pool, as links are (functions/domain/refresh/refresh-job.ts).
 */
import type { Clock, DiagnosticsLog } from '../ports.ts';
import { limiter } from '../refresh/semaphore.ts';
import { type GrantRefresher, isGrantDue } from './grant-refresher.ts';
import type { GrantStore } from './ports.ts';

export interface GrantRefreshReport {
  grantsRefreshed: number;
  grantsFailed: number;
  grantsEnded: number;
  grantsDeferred: number;
  grantsStoppedEarly: boolean;
}

export class GrantRefreshJob {
  readonly #grants: GrantStore;
  readonly #refresher: GrantRefresher;
  readonly #clock: Clock;
  readonly #settings: { concurrency: number; reserveMs: number };
  readonly #log: DiagnosticsLog;

  constructor(deps: {
    grants: GrantStore;
    refresher: GrantRefresher;
    clock: Clock;
    settings: { concurrency: number; reserveMs: number };
    log: DiagnosticsLog;
  }) {
    this.#grants = deps.grants;
    this.#refresher = deps.refresher;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#log = deps.log;
  }

  async run(invocation: { requestId: string; remainingMs(): number }): Promise<GrantRefreshReport> {
    const report: GrantRefreshReport = {
      grantsRefreshed: 0,
      grantsFailed: 0,
      grantsEnded: 0,
      grantsDeferred: 0,
      grantsStoppedEarly: false,
    };
    const due = this.#grants.due(this.#clock.now())[Symbol.asyncIterator]();
    const upstreamSlot = limiter(this.#settings.concurrency);
    let attempt = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (invocation.remainingMs() < this.#settings.reserveMs) {
          report.grantsStoppedEarly = true;
          return;
        }
        const next = await due.next();
        if (next.done) return;
        try {
          const outcome = await this.#refresher.refresh(next.value, {
            owner: `job:${invocation.requestId}:grant:${attempt++}`,
            leaseS: Math.max(5, Math.ceil(invocation.remainingMs() / 1000)),
            needed: isGrantDue,
            upstreamSlot,
          });
          if (outcome.kind === 'refreshed') report.grantsRefreshed++;
          else if (outcome.kind === 'transient') report.grantsFailed++;
          else if (outcome.kind === 'ended') report.grantsEnded++;
          else if (outcome.kind === 'busy') report.grantsDeferred++;
        } catch (error) {
          report.grantsFailed++;
          this.#log.warn('Refreshing an event token failed in the store', {
            grantKey: next.value,
            reason: error instanceof Error ? error.name : String(error),
          });
        }
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
