/**
 * Warm-time baseline for a v2 Control: the same DynamoDB calls the real handler makes (the link; the claim on
 * the messageId, conditional; the device; the claim marked dispatched, conditional; its update, conditional on the
 * version read; the answer kept), with
 * no middy, validation, token check, mapping or logging.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TableName = process.env['TABLE_NAME'];

export const handler = async (event: { body: string }) => {
  const { header, endpoint } = JSON.parse(event.body);
  const linkId = String(header.authorization.token).split('.')[1];
  const { Item: link } = await db.send(new GetCommand({ TableName, Key: { pk: `LINK#${linkId}`, sk: 'LINK' }, ConsistentRead: true }));
  const reply = { pk: `V2REPLY#${link?.['vendorUserId']}#${header.messageId}`, sk: 'REPLY' };
  await db.send(new PutCommand({ TableName, Item: { ...reply, status: 'in_progress' }, ConditionExpression: 'attribute_not_exists(pk)' }));
  const Key = { pk: `VCLOUD#${link?.['vendorUserId']}`, sk: `DEVICE#${endpoint.endpointId}` };
  const { Item } = await db.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
  await db.send(
    new UpdateCommand({
      TableName,
      Key: reply,
      UpdateExpression: 'SET #status = :dispatched',
      ConditionExpression: '#status = :progress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':dispatched': 'dispatched', ':progress': 'in_progress' },
    }),
  );
  const state = { ...Item?.['device'].state, switch: header.name === 'Switch.On' ? 'on' : 'off' };
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
  const body = JSON.stringify({
    header: { ...header, name: 'Response' },
    endpoint: { endpointId: endpoint.endpointId, states: [state] },
    payload: {},
  });
  await db.send(new PutCommand({ TableName, Item: { ...reply, status: 'answered', reply: body } }));
  return { statusCode: 200, body };
};
