/** A fresh embedded DynamoDB with the driver's table, for one test file. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localClient, startDynamoDB } from '../../lib/local/dynamodb.ts';

/** A document client of the embedded engine (or a proxy in front of it) at `endpoint`, marshalling as the driver's does. */
export const documentClientAt = (endpoint: string): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(localClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });

export async function testTable(tableName = 'homebase-test') {
  const dynamo = await startDynamoDB();
  await ensureTable(dynamo.endpoint, tableName);
  const db = documentClientAt(dynamo.endpoint);
  return {
    db,
    tableName,
    endpoint: dynamo.endpoint,
    close: async () => {
      db.destroy();
      await dynamo.close();
    },
  };
}

/** Counts the items DynamoDB hands back (query results, gets, updated items) from here on. */
export function countItemsRead(db: DynamoDBDocumentClient): { read(): number; reset(): void } {
  let itemsRead = 0;
  db.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = (result.output ?? {}) as { Count?: number; Item?: unknown; Attributes?: unknown };
      itemsRead += (output.Count ?? 0) + (output.Item ? 1 : 0) + (output.Attributes ? 1 : 0);
      return result;
    },
    { step: 'initialize', name: 'countItemsRead' },
  );
  return {
    read: () => itemsRead,
    reset: () => {
      itemsRead = 0;
    },
  };
}
