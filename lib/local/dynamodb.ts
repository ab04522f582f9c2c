/**
 * An embedded DynamoDB (dynalite) on loopback, for `npm start` and the tests. It speaks the real
 * wire protocol, so the driver talks to it through the ordinary AWS SDK.
 */
import { mkdir } from 'node:fs/promises';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DUE_INDEX, TABLE_KEYS } from '../../functions/adapters/dynamodb/table.ts';
import { listen } from './loopback.ts';

export interface LocalDynamoDB {
  endpoint: string;
  close(): Promise<void>;
}

/** `path` persists the data in LevelDB files there; without it the data lives in memory. */
export async function startDynamoDB(options: { path?: string } = {}): Promise<LocalDynamoDB> {
  if (options.path) await mkdir(options.path, { recursive: true });
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

/** Creates the driver's table with the layout the CDK stack deploys, unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // dynalite cannot add an index to an existing table, so an old data directory has to go.
    if (!Table?.GlobalSecondaryIndexes?.some((index) => index.IndexName === DUE_INDEX.indexName)) {
      throw new Error(
        `the local table "${tableName}" predates the refresh job's due index; delete the data directory (DATA_DIR, default .data) and start again`,
      );
    }
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
          { AttributeName: DUE_INDEX.partitionKey, AttributeType: 'S' },
          { AttributeName: DUE_INDEX.sortKey, AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [DUE_GSI],
      }),
    );
  } finally {
    client.destroy();
  }
}
