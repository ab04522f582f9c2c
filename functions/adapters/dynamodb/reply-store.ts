import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplyClaim, ReplyStore } from '../../domain/ports.ts';
import { crypto } from '../../runtime/builtins.ts';
import { ignoreConditionFailure, isConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

/**
 * v2 answers kept per message (the Powertools idempotency pattern, on the driver's one table): a claim is
 * one conditional put that succeeds only where no live claim and no kept answer exists, so of two
 * deliveries of one message exactly one does the work. A claim outlives a crashed invocation only until
 * its lease ends; an answer, until its TTL. The answer and a give-back are written only while the claim
 * is still the writer's own. DynamoDB deletes expired items lazily, so every read checks.
 */
export class DynamoReplyStore implements ReplyStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async claim(key: string, fingerprint: string, now: number, leaseUntil: number): Promise<ReplyClaim> {
    const claimId = crypto.randomUUID();
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.v2Reply(key), status: 'in_progress', claimId, fingerprint, leaseUntil, [TTL_ATTRIBUTE]: leaseUntil },
          // Free when absent, when its claim lapsed unanswered, or when its kept answer expired.
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :progress AND leaseUntil <= :now) OR #ttl <= :now',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':progress': 'in_progress', ':now': now },
        }),
      );
      return { kind: 'claimed', claimId };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Taken: what by. A claim that lapsed between the put and this read is still reported as running;
    // the caller's next look (or Rokid's next retry) finds it free.
    return (await this.read(key, now)) ?? { kind: 'in_progress' };
  }

  async save(key: string, claimId: string, reply: unknown, keepUntil: number): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.v2Reply(key),
          UpdateExpression: 'SET #status = :answered, reply = :reply, #ttl = :keep REMOVE leaseUntil',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':answered': 'answered', ':reply': JSON.stringify(reply), ':keep': keepUntil, ':claim': claimId },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async release(key: string, claimId: string): Promise<void> {
    await this.#db
      .send(
        new DeleteCommand({
          TableName: this.#table,
          Key: keys.v2Reply(key),
          ConditionExpression: 'claimId = :claim AND #status = :progress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':progress': 'in_progress', ':claim': claimId },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async read(key: string, now: number): Promise<Exclude<ReplyClaim, { kind: 'claimed' }> | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.v2Reply(key), ConsistentRead: true }));
    if (!Item || Number(Item[TTL_ATTRIBUTE]) <= now) return undefined;
    const fingerprint = typeof Item['fingerprint'] === 'string' ? { fingerprint: Item['fingerprint'] } : {};
    if (Item['status'] === 'answered') return { kind: 'answered', reply: JSON.parse(String(Item['reply'])) as unknown, ...fingerprint };
    return Number(Item['leaseUntil']) > now ? { kind: 'in_progress', ...fingerprint } : undefined;
  }
}
