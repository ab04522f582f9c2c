/** The local table's layout: created as the stack deploys it, and rebuilt when an older version made it. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureTable, type LocalDynamoDB, localClient, startDynamoDB } from '../../lib/local/dynamodb.ts';

let dynamo: LocalDynamoDB;
let dir: string;
beforeAll(async () => {
  dynamo = await startDynamoDB();
  dir = await mkdtemp(join(tmpdir(), 'local-table-'));
});
afterAll(async () => {
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

it('rebuilds a table made before the vendor-user index, keeping every item, and leaves no backup behind', async () => {
  const client = localClient(dynamo.endpoint);
  // The layout of the first round: the due index only.
  await client.send(
    new CreateTableCommand({
      TableName: 'old',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'dueShard', AttributeType: 'S' },
        { AttributeName: 'refreshDueAt', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'refreshDueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  for (let i = 0; i < 30; i++) {
    await client.send(
      new PutItemCommand({ TableName: 'old', Item: { pk: { S: `LINK#l${i}` }, sk: { S: 'LINK' }, vendorUserId: { S: `u${i % 3}` } } }),
    );
  }

  await ensureTable(dynamo.endpoint, 'old', { backupFile: join(dir, 'backup.json') });

  const { Table } = await client.send(new DescribeTableCommand({ TableName: 'old' }));
  expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(['due', 'vendor-user']);
  const { Items } = await client.send(new ScanCommand({ TableName: 'old' }));
  expect(Items).toHaveLength(30);
  await expect(readdir(dir)).resolves.toEqual([]);
  // A second start finds the layout current and leaves it be.
  await ensureTable(dynamo.endpoint, 'old');
  await expect(client.send(new ScanCommand({ TableName: 'old' }))).resolves.toMatchObject({ Count: 30 });
  client.destroy();
});
