/**
 * An embedded DynamoDB (dynalite) on loopback, for `npm start` and the tests. It speaks the real
 * wire protocol, so the driver talks to it through the ordinary AWS SDK.
 */
import { mkdir } from 'node:fs/promises';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_KEYS } from '../../functions/adapters/dynamodb/table.ts';
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

/** Creates the driver's table with the layout the CDK stack deploys, unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } finally {
    client.destroy();
  }
}
