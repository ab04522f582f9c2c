/** What the scheduled refresh is built from: the links' job and, where state reports are on, the grants'. */
import { type ConfigSource, eventsOn } from '../config.ts';
import type { GrantRefreshReport } from '../domain/events/grant-refresh-job.ts';
import { GrantRefreshJob } from '../domain/events/grant-refresh-job.ts';
import { systemClock } from '../domain/ports.ts';
import { RefreshJob, type RefreshReport } from '../domain/refresh/refresh-job.ts';
import { logger } from '../observability.ts';
import { grantServices } from './grants.ts';
import { linkRefresher } from './link-refresher.ts';
import { linkRevoker } from './link-revoker.ts';
import { once } from './once.ts';
import { tableOf } from './table.ts';

export type RunReport = RefreshReport & Partial<GrantRefreshReport>;

export const refreshJob = (source: ConfigSource) =>
  once(() => {
    const config = source();
    const { db, cipher, links } = tableOf(config);
    const settings = {
      concurrency: config.REFRESH_CONCURRENCY,
      // One upstream call at its timeout, plus the write-back.
      reserveMs: Math.max(config.USERCENTER_TIMEOUT_MS, config.OAUTH_TIMEOUT_MS) + 2000,
    };
    // One set of the grants' services, for their job and for ending a retired link's grants.
    const grants = eventsOn(config) ? grantServices(config, db, cipher) : undefined;
    const linksJob = new RefreshJob({
      links,
      refresher: linkRefresher(config, links),
      revoker: linkRevoker(config, { db, cipher, links, ...(grants ? { endGrantsOfLink: grants.endGrantsOfLink } : {}) }),
      clock: systemClock,
      log: logger,
      settings,
    });
    const grantsJob = grants
      ? new GrantRefreshJob({
          ...grants,
          clock: systemClock,
          log: logger,
          settings: { concurrency: config.REFRESH_CONCURRENCY, reserveMs: config.ROKID_EVENTS_TIMEOUT_MS + 2000 },
        })
      : undefined;
    return {
      // Side by side: Rokid's token endpoint and the vendor's are different servers, each with its own bound.
      async run(invocation: { requestId: string; remainingMs(): number }): Promise<RunReport> {
        const [linkReport, grantReport] = await Promise.all([linksJob.run(invocation), grantsJob?.run(invocation)]);
        return { ...linkReport, ...grantReport };
      },
    };
  });
