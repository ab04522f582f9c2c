import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

  async count(key: string, now: number): Promise<{ count: number; resetAt: number } | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.attempts(key), ConsistentRead: true }));
    if (!Item || Number(Item['resetAt']) <= now) return undefined;
    return { count: Number(Item['count']), resetAt: Number(Item['resetAt']) };
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
