/** Cold-start and size baseline: a minimal handler, no middy, one DynamoDB GetItem. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { body?: string }) => {
  const { Item } = await db.send(new GetCommand({ TableName: process.env['TABLE_NAME'], Key: { pk: 'LINK#x', sk: 'LINK' } }));
  return { statusCode: 200, body: JSON.stringify({ status: 0, data: Item ?? null, echo: event.body?.length ?? 0 }) };
};
