/** What keeps a Control's Response as the states Rokid was last sent (functions/domain/events/sent-states.ts). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeliveryPositions } from '../adapters/dynamodb/event-records.ts';
import { DynamoGrantStore } from '../adapters/dynamodb/grant-store.ts';
import type { Config } from '../config.ts';
import { SentStates } from '../domain/events/sent-states.ts';
import { type CredentialCipher, systemClock } from '../domain/ports.ts';

export const sentStates = (config: Config, db: DynamoDBDocumentClient, cipher: CredentialCipher): SentStates =>
  new SentStates({
    grants: new DynamoGrantStore(db, config.TABLE_NAME, cipher),
    positions: new DynamoDeliveryPositions(db, config.TABLE_NAME),
    clock: systemClock,
  });
