import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageRecord, ReplyClaim, ReplyStore } from '../../domain/ports.ts';
import { crypto } from '../../runtime/builtins.ts';
import { ignoreConditionFailure, isConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

const NAMES = { '#status': 'status', '#ttl': TTL_ATTRIBUTE };

/**
 * v2's messages on the driver's one table, one item each (`status`: in_progress → dispatched → answered). A
 * claim is one conditional put that succeeds only where nothing live stands, so of two deliveries exactly one
 * does the work; every later write is conditional on the writer's claimId. The SDK retries a write whose answer
 * was lost, and the retry then fails its own condition: the claim reads back its claimId to know its own write,
 * and dispatch and save are written so that doing them twice is doing them once. DynamoDB deletes expired
 * items lazily, so every read checks.
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
          // Free when absent, when a claim lapsed before it dispatched, or when the record expired. A dispatched
          // record does not lapse: its delivery may have acted.
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :progress AND leaseUntil <= :now) OR #ttl <= :now',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':progress': 'in_progress', ':now': now },
        }),
      );
      return { state: 'claimed', claimId };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const standing = await this.#get(key);
    if (standing?.['claimId'] === claimId) return { state: 'claimed', claimId };
    // A claim that lapsed between the put and this read is still reported as running; the caller's next
    // look (or Rokid's next retry) finds it free.
    return recordOf(standing, now) ?? { state: 'in_progress', leaseUntil };
  }

  async dispatch(key: string, claimId: string, keepUntil: number): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.v2Reply(key),
          UpdateExpression: 'SET #status = :dispatched, #ttl = :keep',
          // Already dispatched by this claim: a retried write of its own.
          ConditionExpression: 'claimId = :claim AND #status IN (:progress, :dispatched)',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':dispatched': 'dispatched', ':progress': 'in_progress', ':keep': keepUntil, ':claim': claimId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async save(key: string, claimId: string, reply: unknown, keepUntil: number): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.v2Reply(key),
          UpdateExpression: 'SET #status = :answered, reply = :reply, #ttl = :keep REMOVE leaseUntil',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: NAMES,
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
          ConditionExpression: 'claimId = :claim AND #status <> :answered',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':answered': 'answered', ':claim': claimId },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async read(key: string, now: number): Promise<MessageRecord | undefined> {
    return recordOf(await this.#get(key), now);
  }

  async #get(key: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.v2Reply(key), ConsistentRead: true }));
    return Item;
  }
}

function recordOf(item: Record<string, unknown> | undefined, now: number): MessageRecord | undefined {
  if (!item || Number(item[TTL_ATTRIBUTE]) <= now) return undefined;
  const fingerprint = typeof item['fingerprint'] === 'string' ? { fingerprint: item['fingerprint'] } : {};
  const leaseUntil = Number(item['leaseUntil']);
  switch (item['status']) {
    case 'answered':
      return { state: 'answered', reply: JSON.parse(String(item['reply'])) as unknown, ...fingerprint };
    case 'dispatched':
      return { state: 'dispatched', leaseUntil, ...fingerprint };
    default:
      return leaseUntil > now ? { state: 'in_progress', leaseUntil, ...fingerprint } : undefined;
  }
}
