/** A fresh embedded DynamoDB with the driver's table, for one test file. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localClient, startDynamoDB } from '../../lib/local/dynamodb.ts';

export async function testTable(tableName = 'homebase-test') {
  const dynamo = await startDynamoDB();
  await ensureTable(dynamo.endpoint, tableName);
  const db = DynamoDBDocumentClient.from(localClient(dynamo.endpoint), { marshallOptions: { removeUndefinedValues: true } });
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
