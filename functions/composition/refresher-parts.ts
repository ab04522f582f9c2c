/** What a grant refresher (grant-refresher.ts) is built on that every function building one has loaded at import. */
import type { Config } from '../config.ts';
import type { GrantStore } from '../domain/events/ports.ts';
import { systemClock } from '../domain/ports.ts';
import { eventMetrics, logger } from '../observability.ts';
import type { RefresherParts } from './grant-refresher.ts';
import { refreshPolicy } from './table.ts';

export const refresherParts = (config: Config, grants: GrantStore): RefresherParts => ({
  grants,
  policy: refreshPolicy(config),
  clock: systemClock,
  metrics: eventMetrics,
  log: logger,
});
