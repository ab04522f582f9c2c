/**
 * State-report grants (functions/domain/events): the store, Rokid's token endpoint, and what keeps the tokens fresh.
 * Built where a grant is made (AcceptGrant), refreshed (the job, delivery after a 401) or ended (a revoked link),
 * and loaded by the directive function and the revoker only when one of those happens.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoGrantStore } from '../adapters/dynamodb/grant-store.ts';
import { EventTokenClient } from '../adapters/rokid/event-token-client.ts';
import { HttpFailureReporter } from '../adapters/rokid/failure-reporter.ts';
import type { Config } from '../config.ts';
import { endGrantsOfLink, GrantRefresher } from '../domain/events/grant-refresher.ts';
import { type CredentialCipher, systemClock } from '../domain/ports.ts';
import { eventMetrics, logger } from '../observability.ts';
import { secretSetting } from './secret-setting.ts';
import { refreshPolicy } from './table.ts';

/** The grants and what keeps their tokens fresh. */
export function grantServices(config: Config, db: DynamoDBDocumentClient, cipher: CredentialCipher) {
  const clientId = config.ROKID_EVENTS_CLIENT_ID ?? '';
  const clientSecret = secretSetting(config.ROKID_EVENTS_CLIENT_SECRET, config.ROKID_EVENTS_CLIENT_SECRET_ARN);
  const grants = new DynamoGrantStore(db, config.TABLE_NAME, cipher);
  const issuer = new EventTokenClient({
    tokenUrl: config.ROKID_OAUTH_TOKEN_URL,
    clientId,
    clientSecret,
    timeoutMs: config.ROKID_EVENTS_TIMEOUT_MS,
  });
  const reportFailedUrl = config.ROKID_REPORT_FAILED_URL;
  const refresher = new GrantRefresher({
    grants,
    issuer,
    clock: systemClock,
    policy: refreshPolicy(config),
    metrics: eventMetrics,
    log: logger,
    ...(reportFailedUrl
      ? { reporter: new HttpFailureReporter({ url: reportFailedUrl, clientId, clientSecret, timeoutMs: config.ROKID_EVENTS_TIMEOUT_MS }) }
      : {}),
  });
  return {
    grants,
    issuer,
    refresher,
    endGrantsOfLink: (link: { linkId: string; vendorUserId: string }) => endGrantsOfLink(grants, refresher, link),
  };
}
