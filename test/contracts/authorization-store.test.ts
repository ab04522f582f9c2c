import { afterAll, beforeAll } from 'vitest';
import { DynamoAuthorizationStore } from '../../functions/adapters/dynamodb/authorization-store.ts';
import { testCipher } from '../support/credentials.ts';
import { testTable } from '../support/dynamodb.ts';
import { InMemoryAuthorizationStore } from '../support/in-memory.ts';
import { authorizationStoreContract } from './authorization-store.contract.ts';

let table: Awaited<ReturnType<typeof testTable>>;
const cipher = testCipher();
beforeAll(async () => {
  table = await testTable('contract-authorizations');
});
afterAll(() => table.close());

const memory = new InMemoryAuthorizationStore();
authorizationStoreContract('in memory', () => memory);
authorizationStoreContract('DynamoDB', () => new DynamoAuthorizationStore(table.db, table.tableName, cipher));
