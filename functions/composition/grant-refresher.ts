/**
 * Rokid's token endpoint, its `/report/failed`, and the grant refresher built on them. grants.ts builds them for
 * AcceptGrant, the job and the revoker; the stateReports consumer, only after a 401 or 403 (grant-renewal.ts).
 * Everything else they are built on is handed in (refresher-parts.ts), so that this module, loaded on demand,
 * imports nothing the handler loads at import: esbuild would cut a module both reach into a chunk of its own.
 */
import { EventTokenClient } from '../adapters/rokid/event-token-client.ts';
import { HttpFailureReporter } from '../adapters/rokid/failure-reporter.ts';
import type { Config } from '../config.ts';
import { GrantRefresher } from '../domain/events/grant-refresher.ts';

/** What the refresher is built on besides Rokid's endpoints, which are built here. */
export type RefresherParts = Omit<ConstructorParameters<typeof GrantRefresher>[0], 'issuer' | 'reporter' | 'random'>;

export function grantRefresher(config: Config, parts: RefresherParts, clientSecret: () => Promise<string>) {
  const clientId = config.ROKID_EVENTS_CLIENT_ID ?? '';
  const timeoutMs = config.ROKID_EVENTS_TIMEOUT_MS;
  const issuer = new EventTokenClient({ tokenUrl: config.ROKID_OAUTH_TOKEN_URL, clientId, clientSecret, timeoutMs });
  const reportFailedUrl = config.ROKID_REPORT_FAILED_URL;
  const reporter = reportFailedUrl ? new HttpFailureReporter({ url: reportFailedUrl, clientId, clientSecret, timeoutMs }) : undefined;
  const refresher = new GrantRefresher({ ...parts, issuer, ...(reporter ? { reporter } : {}) });
  return { issuer, refresher };
}
