import { afterAll, beforeAll } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { testCipher } from '../support/credentials.ts';
import { testTable } from '../support/dynamodb.ts';
import { InMemoryLinkStore } from '../support/in-memory.ts';
import { linkStoreContract } from './link-store.contract.ts';

let table: Awaited<ReturnType<typeof testTable>>;
const cipher = testCipher();
beforeAll(async () => {
  table = await testTable('contract-links');
});
afterAll(() => table.close());

const memory = new InMemoryLinkStore();
linkStoreContract('in memory', () => memory);
linkStoreContract('DynamoDB', () => new DynamoLinkStore(table.db, table.tableName, cipher));
