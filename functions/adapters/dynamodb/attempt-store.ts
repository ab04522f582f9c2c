import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AttemptStore, ThrottleRecord } from '../../domain/ports.ts';
import { isConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

/**
 * Sign-in throttling's records, one item each. An account's record is replaced with a put conditional
 * on the version read (absent for version 0); an address's window is counted with an ADD conditional on
 * the count being under the limit, or started with a put when none runs. DynamoDB's TTL removes old
 * items, lazily, so every read checks the times itself.
 */
export class DynamoAttemptStore implements AttemptStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async read(key: string): Promise<ThrottleRecord | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.attempts(key), ConsistentRead: true }));
    if (!Item || typeof Item['version'] !== 'number') return undefined;
    return { failures: Number(Item['failures'] ?? 0), openAt: Number(Item['openAt'] ?? 0), version: Item['version'] };
  }

  async start(key: string, first: ThrottleRecord, expiresAt: number): Promise<boolean> {
    return this.#put(key, first, expiresAt, {
      ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(version) OR failures = :zero',
      ExpressionAttributeValues: { ':zero': 0 },
    });
  }

  async write(key: string, next: ThrottleRecord, expectedVersion: number, expiresAt: number): Promise<boolean> {
    return this.#put(
      key,
      next,
      expiresAt,
      expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(version)' }
        : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } },
    );
  }

  async #put(
    key: string,
    record: ThrottleRecord,
    expiresAt: number,
    condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.attempts(key), ...record, [TTL_ATTRIBUTE]: expiresAt },
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async clear(key: string): Promise<void> {
    // A success ends the streak whatever raced it: a guess counted in between is forgiven, never the user locked out.
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.attempts(key),
          UpdateExpression: 'SET failures = :zero, openAt = :zero, version = :version',
          ConditionExpression: 'attribute_exists(pk)',
          // A new version, so a reservation that read the streak before it ended cannot write over the clearing.
          ExpressionAttributeValues: { ':zero': 0, ':version': Math.floor(Math.random() * 2 ** 48) + 1 },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async reserveInWindow(key: string, limit: number, now: number, windowS: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#db.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: keys.attempts(key),
            UpdateExpression: 'ADD #count :one',
            ConditionExpression: 'resetAt > :now AND #count < :limit',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1, ':now': now, ':limit': limit },
          }),
        );
        return true;
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
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // Neither: a running window at its limit, or a racer started one between the two writes.
      const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.attempts(key), ConsistentRead: true }));
      if (Item && Number(Item['resetAt']) > now && Number(Item['count']) >= limit) return false;
    }
    return false;
  }

  async releaseInWindow(key: string): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.attempts(key),
          UpdateExpression: 'ADD #count :minus',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
}
