/**
 * The two records that make event delivery once-only and ordered, one item each in the single table (table.ts):
 * an event id the webhook has seen (24 hours), and where delivery stands for one endpoint of one Rokid user.
 * Every write is conditional; DynamoDB deletes expired items lazily, so the conditions check the TTL themselves.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryPositions, PositionClaim, SeenClaim, SeenEvents } from '../../domain/events/ports.ts';
import { crypto } from '../../runtime/builtins.ts';
import { ignoreConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

export class DynamoSeenEvents implements SeenEvents {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async claim(key: string, now: number, leaseUntil: number): Promise<SeenClaim> {
    const claimId = crypto.randomUUID();
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.seenEvent(key), status: 'claimed', claimId, [TTL_ATTRIBUTE]: leaseUntil },
          // Free when never seen, when a claim lapsed unqueued, or when the 24 hours are over.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { kind: 'new', claimId };
    } catch (error) {
      ignoreConditionFailure(error);
    }
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.seenEvent(key), ConsistentRead: true }));
    return Item?.['status'] === 'claimed' ? { kind: 'in_flight' } : { kind: 'seen' };
  }

  async queued(key: string, claimId: string, keepUntil: number): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.seenEvent(key),
          UpdateExpression: 'SET #status = :queued, #ttl = :keep',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':queued': 'queued', ':keep': keepUntil, ':claim': claimId },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async release(key: string, claimId: string): Promise<void> {
    await this.#db
      .send(
        new DeleteCommand({
          TableName: this.#table,
          Key: keys.seenEvent(key),
          ConditionExpression: 'claimId = :claim AND #status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claim': claimId, ':claimed': 'claimed' },
        }),
      )
      .catch(ignoreConditionFailure);
  }
}

/** Kept long after the last event: an endpoint that changes rarely must still not go backwards. */
const POSITION_KEEP_S = 30 * 24 * 3600;

export class DynamoDeliveryPositions implements DeliveryPositions {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async claim(position: string, order: string, now: number, leaseUntil: number): Promise<PositionClaim> {
    const claimId = crypto.randomUUID();
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: 'SET #at = :order, delivered = :false, claimId = :claim, claimUntil = :until, #ttl = :keep',
          // Free (nothing there, the last delivered, or its claim lapsed), and this event not older than the last.
          ConditionExpression:
            '(attribute_not_exists(pk) OR delivered = :true OR claimUntil <= :now) AND (attribute_not_exists(pk) OR #at < :order OR (#at = :order AND delivered = :false))',
          ExpressionAttributeNames: { '#at': 'at', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':order': order,
            ':false': false,
            ':true': true,
            ':claim': claimId,
            ':until': leaseUntil,
            ':now': now,
            ':keep': now + POSITION_KEEP_S,
          },
        }),
      );
      return { kind: 'claimed', claimId };
    } catch (error) {
      ignoreConditionFailure(error);
    }
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.deliveryPosition(position), ConsistentRead: true }),
    );
    const at = String(Item?.['at'] ?? '');
    return at > order || (at === order && Item?.['delivered'] === true) ? { kind: 'superseded' } : { kind: 'busy' };
  }

  async delivered(position: string, claimId: string): Promise<void> {
    await this.#settle(position, claimId, 'SET delivered = :true, claimUntil = :zero', { ':true': true, ':zero': 0 });
  }

  async release(position: string, claimId: string): Promise<void> {
    await this.#settle(position, claimId, 'SET claimUntil = :zero', { ':zero': 0 });
  }

  async #settle(position: string, claimId: string, update: string, values: Record<string, unknown>): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: update,
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeValues: { ...values, ':claim': claimId },
        }),
      )
      .catch(ignoreConditionFailure);
  }
}
