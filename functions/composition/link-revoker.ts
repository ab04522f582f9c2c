import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import { systemClock } from '../domain/ports.ts';
import { LinkRevoker } from '../domain/revocation/link-revoker.ts';
import { logger, revocationMetrics } from '../observability.ts';
import { refreshPolicy } from './table.ts';
import { byKind, upstreams } from './upstreams.ts';

/** Ends links and their upstream grants: for the refresh job's retirements and for operators. */
export const linkRevoker = (config: Config, links: DynamoLinkStore): LinkRevoker =>
  new LinkRevoker({
    links,
    upstreams: byKind(upstreams(config)),
    clock: systemClock,
    policy: refreshPolicy(config),
    metrics: revocationMetrics,
    log: logger,
  });
