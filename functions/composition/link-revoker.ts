import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoLinkStore } from '../adapters/dynamodb/link-store.ts';
import { type Config, eventsOn } from '../config.ts';
import { type CredentialCipher, systemClock } from '../domain/ports.ts';
import { LinkRevoker } from '../domain/revocation/link-revoker.ts';
import { logger, revocationMetrics } from '../observability.ts';
import { onceAsync } from './once.ts';
import { refreshPolicy } from './table.ts';
import { byKind, type Upstreams, upstreams } from './upstreams.ts';

/** The table the links are ended in, and their grants with them: what `tableOf` (table.ts) gives a function. */
interface RevokerTable {
  db: DynamoDBDocumentClient;
  cipher: CredentialCipher;
  links: DynamoLinkStore;
}

/**
 * Ends links and their upstream grants: for the refresh job's retirements, the OAuth 2.0 server's
 * revocation endpoint and operators. `from` shares a function's upstream clients (and their discovery);
 * the grants are ended over the function's own client and cipher, whose data keys it may already hold.
 */
export const linkRevoker = (config: Config, { db, cipher, links }: RevokerTable, from: Upstreams = upstreams(config)): LinkRevoker => {
  // Loaded only when a link is revoked: the grants' modules stay out of every function's cold start. One import():
  // each module imported on demand is an entry point to esbuild, and a second one cut what they share into more
  // chunks, some loaded at import (refresh: 11 files → 9).
  const endGrantsOfLink = onceAsync(() =>
    import('./grants.ts').then(({ grantServices }) => grantServices(config, db, cipher).endGrantsOfLink),
  );
  return new LinkRevoker({
    links,
    upstreams: byKind(from),
    clock: systemClock,
    policy: refreshPolicy(config),
    metrics: revocationMetrics,
    log: logger,
    ...(eventsOn(config) ? { endGrants: async (link) => (await endGrantsOfLink())(link) } : {}),
  });
};
