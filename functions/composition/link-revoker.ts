import { type Config, eventsOn } from '../config.ts';
import { systemClock } from '../domain/ports.ts';
import { LinkRevoker } from '../domain/revocation/link-revoker.ts';
import { logger, revocationMetrics } from '../observability.ts';
import type { grantServices } from './grants.ts';
import { onceAsync } from './once.ts';
import { refreshPolicy, type tableOf } from './table.ts';
import { byKind, type Upstreams, upstreams } from './upstreams.ts';

type EndGrantsOfLink = ReturnType<typeof grantServices>['endGrantsOfLink'];

/**
 * The table the links are ended in, and their grants with them, as `tableOf` gives it to a function; with
 * `endGrantsOfLink` where the function has built the grants' services already (the refresh job).
 */
type RevokerTable = ReturnType<typeof tableOf> & { endGrantsOfLink?: EndGrantsOfLink };

/**
 * Ends links and their upstream grants: for the refresh job's retirements, the OAuth 2.0 server's
 * revocation endpoint and operators. `from` shares a function's upstream clients (and their discovery);
 * the grants are ended over the function's own client and cipher, whose data keys it may already hold.
 */
export const linkRevoker = (config: Config, table: RevokerTable, from: Upstreams = upstreams(config)): LinkRevoker => {
  const { db, cipher, links } = table;
  // Otherwise loaded only when a link is revoked: the grants' modules stay out of every function's cold start. One
  // import(): each module imported on demand is an entry point to esbuild, and a second one cut what they share into
  // more chunks, some loaded at import (refresh: 11 files → 9).
  const loaded = onceAsync(() => import('./grants.ts').then(({ grantServices }) => grantServices(config, db, cipher).endGrantsOfLink));
  const endGrants: EndGrantsOfLink = table.endGrantsOfLink ?? (async (link) => (await loaded())(link));
  return new LinkRevoker({
    links,
    upstreams: byKind(from),
    clock: systemClock,
    policy: refreshPolicy(config),
    metrics: revocationMetrics,
    log: logger,
    ...(eventsOn(config) ? { endGrants } : {}),
  });
};
