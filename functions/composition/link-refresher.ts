import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import { systemClock } from '../domain/ports.ts';
import { LinkRefresher } from '../domain/refresh/link-refresher.ts';
import { logger, refreshMetrics } from '../observability.ts';
import { refreshPolicy } from './table.ts';
import { byKind, upstreams } from './upstreams.ts';

/** One link's refresh under its lease: shared by the inline refresh of /list and /execute and by the job. */
export const linkRefresher = (config: Config, links: DynamoLinkStore): LinkRefresher =>
  new LinkRefresher({
    links,
    upstreams: byKind(upstreams(config)),
    clock: systemClock,
    policy: refreshPolicy(config),
    metrics: refreshMetrics,
    log: logger,
  });
