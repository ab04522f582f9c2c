/**
 * Warm-time baseline for a v2 Discover: the same DynamoDB calls the real handler makes (the link, then the
 * user's virtual home), with no middy, validation, token check, mapping or logging.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = process.env['TABLE_NAME'];

export const handler = async (event: { body: string }) => {
  const { header } = JSON.parse(event.body);
  const linkId = String(header.authorization.token).split('.')[1];
  const { Item: link } = await db.send(new GetCommand({ TableName, Key: { pk: `LINK#${linkId}`, sk: 'LINK' }, ConsistentRead: true }));
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `VCLOUD#${link?.['vendorUserId']}` },
      ConsistentRead: true,
    }),
  );
  const endpoints = Items.filter((item) => item['sk'] !== 'HOME').map((item) => ({ endpointId: item['device'].deviceId }));
  return { statusCode: 200, body: JSON.stringify({ header: { ...header, name: 'DiscoveryResponse' }, payload: { endpoints } }) };
};
