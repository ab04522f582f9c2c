/**
 * State-report grants (functions/domain/events): the store, Rokid's token endpoint, and what keeps the tokens fresh.
 * Built where a grant is made (AcceptGrant), refreshed (the job) or ended (a revoked link), and loaded by the
 * directive function and the revoker only when one of those happens. The stateReports consumer builds the store
 * alone, and the refresher (grant-renewal.ts) on its first 401 or 403.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoGrantStore } from '../adapters/dynamodb/grant-store.ts';
import type { Config } from '../config.ts';
import { endGrantsOfLink } from '../domain/events/grant-refresher.ts';
import type { CredentialCipher } from '../domain/ports.ts';
import { grantRefresher } from './grant-refresher.ts';
import { refresherParts } from './refresher-parts.ts';
import { secretSetting } from './secret-setting.ts';

/** The grants and what keeps their tokens fresh. */
export function grantServices(config: Config, db: DynamoDBDocumentClient, cipher: CredentialCipher) {
  const grants = new DynamoGrantStore(db, config.TABLE_NAME, cipher);
  const clientSecret = secretSetting(config.ROKID_EVENTS_CLIENT_SECRET, config.ROKID_EVENTS_CLIENT_SECRET_ARN);
  const { issuer, refresher } = grantRefresher(config, refresherParts(config, grants), clientSecret);
  return {
    grants,
    issuer,
    refresher,
    endGrantsOfLink: (link: { linkId: string; vendorUserId: string }) => endGrantsOfLink(grants, refresher, link),
  };
}
