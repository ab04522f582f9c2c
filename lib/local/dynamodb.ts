/**
 * An embedded DynamoDB (dynalite) on loopback, for `npm start` and the tests. It speaks the real
 * wire protocol, so the driver talks to it through the ordinary AWS SDK.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DUE_INDEX, TABLE_KEYS, VENDOR_USER_INDEX } from '../../functions/adapters/dynamodb/table.ts';
import { listen } from './loopback.ts';

export interface LocalDynamoDB {
  endpoint: string;
  close(): Promise<void>;
}

/** `path` persists the data in LevelDB files there; without it the data lives in memory. */
export async function startDynamoDB(options: { path?: string } = {}): Promise<LocalDynamoDB> {
  if (options.path) await mkdir(options.path, { recursive: true, mode: 0o700 });
  const server = dynalite({ ...(options.path ? { path: options.path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const { url, close } = await listen(server);
  return { endpoint: url, close };
}

/** A client for the local engine; it accepts any credentials. */
export const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** The sparse due index; keys only, since the refresh job reads each due link under its lease anyway. */
const DUE_GSI = {
  IndexName: DUE_INDEX.indexName,
  KeySchema: [
    { AttributeName: DUE_INDEX.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: DUE_INDEX.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' as const },
};

/** The sparse vendor-user index, for revoking every link of one vendor user. */
const VENDOR_USER_GSI = {
  IndexName: VENDOR_USER_INDEX.indexName,
  KeySchema: [{ AttributeName: VENDOR_USER_INDEX.partitionKey, KeyType: 'HASH' as const }],
  Projection: { ProjectionType: 'KEYS_ONLY' as const },
};

const TABLE_LAYOUT = {
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [
    { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' as const },
    { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' as const },
    { AttributeName: DUE_INDEX.partitionKey, AttributeType: 'S' as const },
    { AttributeName: DUE_INDEX.sortKey, AttributeType: 'N' as const },
    { AttributeName: VENDOR_USER_INDEX.partitionKey, AttributeType: 'S' as const },
  ],
  KeySchema: [
    { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
  ],
  GlobalSecondaryIndexes: [DUE_GSI, VENDOR_USER_GSI],
};

/**
 * Creates the driver's table with the layout the CDK stack deploys, unless it exists. A table from an
 * older version lacks an index, which dynalite cannot add; so it is rebuilt with its items (they are
 * first saved to `backupFile`, when given, in case the rebuild is interrupted).
 */
export async function ensureTable(endpoint: string, tableName: string, options: { backupFile?: string } = {}): Promise<void> {
  const client = localClient(endpoint);
  try {
    let existing: string[] | undefined;
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      existing = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
    }
    if (existing === undefined) {
      await client.send(new CreateTableCommand({ TableName: tableName, ...TABLE_LAYOUT }));
      return;
    }
    const missing = TABLE_LAYOUT.GlobalSecondaryIndexes.filter((index) => !existing.includes(index.IndexName));
    if (missing.length > 0) await rebuild(client, tableName, options.backupFile);
  } finally {
    client.destroy();
  }
}

async function rebuild(client: DynamoDBClient, tableName: string, backupFile: string | undefined): Promise<void> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  if (backupFile) await writeFile(backupFile, JSON.stringify(items), { mode: 0o600 });
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  await client.send(new CreateTableCommand({ TableName: tableName, ...TABLE_LAYOUT }));
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    let pending: Record<string, WriteRequest[]> | undefined = { [tableName]: batch };
    while (pending && Object.keys(pending).length > 0) {
      ({ UnprocessedItems: pending } = await client.send(new BatchWriteItemCommand({ RequestItems: pending })));
    }
  }
  if (backupFile) await rm(backupFile, { force: true });
}
