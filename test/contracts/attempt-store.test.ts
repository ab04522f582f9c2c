import { afterAll, beforeAll } from 'vitest';
import { DynamoAttemptStore } from '../../functions/adapters/dynamodb/attempt-store.ts';
import { testTable } from '../support/dynamodb.ts';
import { InMemoryAttemptStore } from '../support/in-memory.ts';
import { attemptStoreContract } from './attempt-store.contract.ts';

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable('contract-attempts');
});
afterAll(() => table.close());

const memory = new InMemoryAttemptStore();
attemptStoreContract('in memory', () => memory);
attemptStoreContract('DynamoDB', () => new DynamoAttemptStore(table.db, table.tableName));
