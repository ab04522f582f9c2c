/** Each store contract, against the in-memory store the domain tests use and against DynamoDB (dynalite). */
import { afterAll, beforeAll } from 'vitest';
import { DynamoAttemptStore } from '../../functions/adapters/dynamodb/attempt-store.ts';
import { DynamoAuthorizationStore } from '../../functions/adapters/dynamodb/authorization-store.ts';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { testCipher } from '../support/credentials.ts';
import { testTable } from '../support/dynamodb.ts';
import { InMemoryAttemptStore, InMemoryAuthorizationStore, InMemoryLinkStore } from '../support/in-memory.ts';
import { attemptStoreContract } from './attempt-store.contract.ts';
import { authorizationStoreContract } from './authorization-store.contract.ts';
import { linkStoreContract } from './link-store.contract.ts';

let table: Awaited<ReturnType<typeof testTable>>;
const cipher = testCipher();
beforeAll(async () => {
  table = await testTable('contracts');
});
afterAll(() => table.close());

const memory = { links: new InMemoryLinkStore(), authorizations: new InMemoryAuthorizationStore(), attempts: new InMemoryAttemptStore() };
linkStoreContract('in memory', () => memory.links);
linkStoreContract('DynamoDB', () => new DynamoLinkStore(table.db, table.tableName, cipher));
authorizationStoreContract('in memory', () => memory.authorizations);
authorizationStoreContract('DynamoDB', () => new DynamoAuthorizationStore(table.db, table.tableName, cipher));
attemptStoreContract('in memory', () => memory.attempts);
attemptStoreContract('DynamoDB', () => new DynamoAttemptStore(table.db, table.tableName));
