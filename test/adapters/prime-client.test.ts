/** The table client's first-call work done on a request answered in process: nothing reaches DynamoDB. */
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { primeClient } from '../../functions/adapters/dynamodb/client.ts';
import { type Listening, listen } from '../../lib/local/loopback.ts';

let received = 0;
const server = createServer((request, response) => {
  received++;
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end('{"Item":{"pk":{"S":"LINK#x"},"sk":{"S":"LINK"}}}');
  });
});
let db: DynamoDBDocumentClient;
let listening: Listening;

beforeAll(async () => {
  listening = await listen(server);
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: listening.url,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    }),
  );
});
afterAll(async () => {
  db.destroy();
  await listening.close();
});

it('runs a GetItem through the whole client without sending it, and leaves the client sending as before', async () => {
  // Resolves: an aborted or failed request would reach the retry middleware's error path instead.
  await expect(primeClient(db, 'homebase')).resolves.toBeUndefined();
  expect(received).toBe(0);

  const { Item } = await db.send(new GetCommand({ TableName: 'homebase', Key: { pk: 'LINK#x', sk: 'LINK' } }));
  expect(received).toBe(1);
  expect(Item).toEqual({ pk: 'LINK#x', sk: 'LINK' });
});
