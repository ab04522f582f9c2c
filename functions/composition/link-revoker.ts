import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import type { Config } from '../config.ts';
import { systemClock } from '../domain/ports.ts';
import { LinkRevoker } from '../domain/revocation/link-revoker.ts';
import { logger, revocationMetrics } from '../observability.ts';
import { refreshPolicy } from './table.ts';
import { byKind, type Upstreams, upstreams } from './upstreams.ts';

/**
 * Ends links and their upstream grants: for the refresh job's retirements, the OAuth 2.0 server's
 * revocation endpoint and operators. `from` shares a function's upstream clients (and their discovery).
 */
export const linkRevoker = (config: Config, links: DynamoLinkStore, from: Upstreams = upstreams(config)): LinkRevoker =>
  new LinkRevoker({
    links,
    upstreams: byKind(from),
    clock: systemClock,
    policy: refreshPolicy(config),
    metrics: revocationMetrics,
    log: logger,
  });
