/**
 * DynamoDB's TTL, for the embedded engine: dynalite never deletes expired items, so `npm start` sweeps
 * them out itself, on an interval, and `.data` stops growing (used OAuth states, codes, attempt records).
 * Readers check expiry themselves either way, as they must with DynamoDB's lazy TTL.
 */
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb/table.ts';
import { localClient } from './dynamodb.ts';

/** Deletes every item whose TTL has passed by `now`; answers how many. */
export async function sweepExpired(endpoint: string, tableName: string, now = Math.floor(Date.now() / 1000)): Promise<number> {
  const db = DynamoDBDocumentClient.from(localClient(endpoint));
  let deleted = 0;
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#ttl <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': now },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const key of page.Items ?? []) {
        await db.send(new DeleteCommand({ TableName: tableName, Key: key }));
        deleted++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    db.destroy();
  }
  return deleted;
}

/** Sweeps every `intervalS` seconds until closed. */
export function startExpirySweeper(endpoint: string, tableName: string, options: { intervalS: number; onError: (error: unknown) => void }) {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepExpired(endpoint, tableName).catch(options.onError);
  }, options.intervalS * 1000);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
