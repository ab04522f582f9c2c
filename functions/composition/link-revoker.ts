import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import { type Config, eventsOn } from '../config.ts';
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
    // Loaded only when a link is revoked: the grants' modules stay out of every function's cold start.
    ...(eventsOn(config) ? { endGrants: async (link) => (await endGrantsOnce(config))(link) } : {}),
  });

let ender: Promise<(link: { linkId: string; vendorUserId: string }) => Promise<void>> | undefined;
const endGrantsOnce = (config: Config) => {
  // One import(): each module imported on demand is an entry point to esbuild, and a second one (table.ts, which
  // grants.ts imports) cut what they share into more chunks, some loaded at import (refresh: 11 files → 9).
  ender ??= import('./grants.ts').then(({ grantsEnder }) => grantsEnder(config));
  return ender;
};
