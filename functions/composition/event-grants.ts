/**
 * What AcceptGrant is built from, for the directive function: the grant services and the acceptance. One module,
 * so that they load as one chunk on the first AcceptGrant (composition/directives.ts says why that matters).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.ts';
import { EventGrants } from '../domain/events/accept-grant.ts';
import { type CredentialCipher, systemClock } from '../domain/ports.ts';
import { eventMetrics } from '../observability.ts';
import { grantServices } from './grants.ts';

export const eventGrants = (config: Config, db: DynamoDBDocumentClient, cipher: CredentialCipher): EventGrants =>
  new EventGrants({ ...grantServices(config, db, cipher), clock: systemClock, metrics: eventMetrics });
