/**
 * Warm-time baseline for /execute: the same DynamoDB calls the real handler makes (the link, the
 * device, the update conditional on the version read), with no middy, validation, token check or logging.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = process.env['TABLE_NAME'];

export const handler = async (event: { body: string }) => {
  const { device, action } = JSON.parse(event.body);
  const linkId = String(device.userAuth.userToken).split('.')[1];
  const { Item: link } = await db.send(new GetCommand({ TableName, Key: { pk: `LINK#${linkId}`, sk: 'LINK' }, ConsistentRead: true }));
  const Key = { pk: `VCLOUD#${link?.['vendorUserId']}`, sk: `DEVICE#${device.deviceId}` };
  const { Item } = await db.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
  const state = { ...Item?.['device'].state, [action.property]: action.name };
  await db.send(
    new UpdateCommand({
      TableName,
      Key,
      UpdateExpression: 'SET #device.#state = :state, #version = :next',
      ConditionExpression: '#version = :read',
      ExpressionAttributeNames: { '#device': 'device', '#state': 'state', '#version': 'version' },
      ExpressionAttributeValues: { ':state': state, ':read': Item?.['version'], ':next': Number(Item?.['version']) + 1 },
    }),
  );
  return { statusCode: 200, body: JSON.stringify({ status: 0, data: state }) };
};
