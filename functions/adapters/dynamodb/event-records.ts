/**
 * The two records that make event delivery once-only and ordered, one item each in the single table (table.ts):
 * an event id the webhook has seen (24 hours), and where delivery stands for one endpoint of one grant.
 * Every write is conditional; DynamoDB deletes expired items lazily, so the conditions check the TTL themselves.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  DeliveryPositions,
  EndpointPosition,
  PositionClaim,
  PositionRecord,
  SeenClaim,
  SeenEvents,
} from '../../domain/events/ports.ts';
import type { InterfaceState } from '../../domain/v2/states.ts';
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
    // The SDK retried a put that had been applied, its answer lost: the claim read back is this one.
    if (Item?.['claimId'] === claimId) return { kind: 'new', claimId };
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
/** One attribute per interface, so a Control's Response can set its own without reading the item. */
const ORDER = 'o:';
const DELIVERED = 'd:';
const SENT = 's:';

export class DynamoDeliveryPositions implements DeliveryPositions {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async claim(position: string, now: number, leaseUntil: number): Promise<PositionClaim> {
    const claimId = crypto.randomUUID();
    try {
      // The item as it stands comes back with the claim: the comparison costs no read of its own.
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: 'SET claimId = :claim, claimUntil = :until, #ttl = :keep',
          // No claimUntil: the item was made by a Control's recordSent before any delivery, and nobody holds it.
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(claimUntil) OR claimUntil <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':claim': claimId, ':until': leaseUntil, ':now': now, ':keep': now + POSITION_KEEP_S },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'claimed', claimId, position: positionOf(Attributes) };
    } catch (error) {
      ignoreConditionFailure(error);
    }
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.deliveryPosition(position), ConsistentRead: true }),
    );
    // The SDK retried an update that had been applied, its answer lost: the claim read back is this one.
    if (Item?.['claimId'] === claimId) return { kind: 'claimed', claimId, position: positionOf(Item) };
    if (!Item) return { kind: 'busy' };
    // The holder's orders come back too: an event they already overtake need not wait its turn (grant-delivery.ts).
    const standing = positionOf(Item);
    return typeof Item['claimUntil'] === 'number'
      ? { kind: 'busy', until: Item['claimUntil'], position: standing }
      : { kind: 'busy', position: standing };
  }

  async intend(position: string, claimId: string, orders: Record<string, string>): Promise<boolean> {
    const entries = Object.entries(orders);
    if (entries.length === 0) return true;
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: `SET ${entries.map((_, i) => `#a${i} = :a${i}`).join(', ')}`,
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#a${i}`, `${ORDER}${name}`])),
          ExpressionAttributeValues: { ':claim': claimId, ...Object.fromEntries(entries.map(([, order], i) => [`:a${i}`, order])) },
        }),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  async delivered(position: string, claimId: string, record: PositionRecord): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':claim': claimId, ':zero': 0 };
    const set = ['claimUntil = :zero'];
    const entries = [
      ...Object.entries(record.orders).map(([name, order]) => [`${ORDER}${name}`, order] as const),
      ...Object.entries(record.orders).map(([name, order]) => [`${DELIVERED}${name}`, order] as const),
      ...Object.entries(record.sent).map(([name, state]) => [`${SENT}${name}`, state] as const),
    ];
    entries.forEach(([attribute, value], i) => {
      names[`#a${i}`] = attribute;
      values[`:a${i}`] = value;
      set.push(`#a${i} = :a${i}`);
    });
    const unset = record.unsent.filter((name) => !(name in record.sent));
    unset.forEach((name, i) => {
      names[`#r${i}`] = `${SENT}${name}`;
    });
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: `SET ${set.join(', ')}${unset.length > 0 ? ` REMOVE ${unset.map((_, i) => `#r${i}`).join(', ')}` : ''}`,
          ConditionExpression: 'claimId = :claim',
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async release(position: string, claimId: string): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: 'SET claimUntil = :zero',
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeValues: { ':zero': 0, ':claim': claimId },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async recordSent(position: string, sent: Record<string, InterfaceState>, now: number): Promise<void> {
    const entries = Object.entries(sent);
    if (entries.length === 0) return;
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.deliveryPosition(position),
          UpdateExpression: `SET ${entries.map((_, i) => `#a${i} = :a${i}`).join(', ')}, #ttl = if_not_exists(#ttl, :keep)`,
          // Not while a delivery holds the endpoint: what it records when done is as new, and the Response's value
          // would be overwritten anyway. Losing the race costs at most one report that repeats a value.
          ConditionExpression: 'attribute_not_exists(claimUntil) OR claimUntil <= :now',
          ExpressionAttributeNames: {
            '#ttl': TTL_ATTRIBUTE,
            ...Object.fromEntries(entries.map(([name], i) => [`#a${i}`, `${SENT}${name}`])),
          },
          ExpressionAttributeValues: {
            ':now': now,
            ':keep': now + POSITION_KEEP_S,
            ...Object.fromEntries(entries.map(([, state], i) => [`:a${i}`, state])),
          },
        }),
      )
      .catch(ignoreConditionFailure);
  }
}

function positionOf(item: Record<string, unknown> | undefined): EndpointPosition {
  const position: EndpointPosition = { orders: {}, delivered: {}, sent: {} };
  for (const [attribute, value] of Object.entries(item ?? {})) {
    if (attribute.startsWith(ORDER)) position.orders[attribute.slice(ORDER.length)] = String(value);
    else if (attribute.startsWith(DELIVERED)) position.delivered[attribute.slice(DELIVERED.length)] = String(value);
    else if (attribute.startsWith(SENT)) position.sent[attribute.slice(SENT.length)] = value as InterfaceState;
  }
  return position;
}
