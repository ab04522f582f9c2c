import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttemptStore } from '../../domain/ports.ts';
import { isConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

/**
 * Attempt counters: one item each, counting within its window. A running window is added to with a
 * conditional ADD; an expired or missing one is started with a conditional put; when two callers race to
 * start one, the loser adds to the winner's. DynamoDB's TTL removes finished windows, lazily, so reads
 * check `resetAt` themselves.
 */
export class DynamoAttemptStore implements AttemptStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  /** One request for all the counters a sign-in checks. */
  async counts(names: string[], now: number): Promise<({ count: number; resetAt: number } | undefined)[]> {
    const found = new Map<string, Record<string, unknown>>();
    let pending: Record<string, unknown>[] = names.map((name) => keys.attempts(name));
    for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
      const { Responses, UnprocessedKeys } = await this.#db.send(
        new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[this.#table] ?? []) found.set(String(item['pk']), item);
      pending = (UnprocessedKeys?.[this.#table]?.Keys ?? []) as Record<string, unknown>[];
    }
    // A counter not read after three tries is taken as empty: an overloaded table must not lock everyone out.
    return names.map((name) => {
      const item = found.get(keys.attempts(name).pk);
      return item && Number(item['resetAt']) > now ? { count: Number(item['count']), resetAt: Number(item['resetAt']) } : undefined;
    });
  }

  async increment(key: string, now: number, windowS: number): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: keys.attempts(key),
            UpdateExpression: 'ADD #count :one',
            ConditionExpression: 'resetAt > :now',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1, ':now': now },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      try {
        await this.#db.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...keys.attempts(key), count: 1, resetAt: now + windowS, [TTL_ATTRIBUTE]: now + windowS },
            ConditionExpression: 'attribute_not_exists(pk) OR resetAt <= :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async reset(key: string): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.attempts(key),
          UpdateExpression: 'SET #count = :zero',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
}
