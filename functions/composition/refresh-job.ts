/** What the scheduled refresh is built from. */
import type { ConfigSource } from '../config.ts';
import { systemClock } from '../domain/ports.ts';
import { RefreshJob } from '../domain/refresh/refresh-job.ts';
import { logger } from '../observability.ts';
import { linkRefresher } from './link-refresher.ts';
import { linkRevoker } from './link-revoker.ts';
import { once } from './once.ts';
import { tableOf } from './table.ts';

export const refreshJob = (source: ConfigSource) =>
  once((): RefreshJob => {
    const config = source();
    const { links } = tableOf(config);
    return new RefreshJob({
      links,
      refresher: linkRefresher(config, links),
      revoker: linkRevoker(config, links),
      clock: systemClock,
      log: logger,
      settings: {
        concurrency: config.REFRESH_CONCURRENCY,
        // One upstream call at its timeout, plus the write-back.
        reserveMs: Math.max(config.USERCENTER_TIMEOUT_MS, config.OAUTH_TIMEOUT_MS) + 2000,
      },
    });
  });
