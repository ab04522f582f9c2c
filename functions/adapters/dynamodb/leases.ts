/**
 * A refresher's lease on one item (a link, a grant): one holder at a time, until its lease expires. The holder asking
 * again renews its own lease: a write DynamoDB applied and whose answer was lost is sent again by the SDK, and must
 * not meet itself as a stranger. So an owner names one refresh attempt, never two.
 *
 * The event records (event-records.ts) and v2 replies (reply-store.ts) recognise their own claim another way: each
 * claim carries a fresh id, read back when the condition fails. Here the owner is in the condition, which costs no
 * read, at the price of owners unique per attempt (RefreshRequest and GrantRefreshRequest say so).
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './table.ts';

type ItemKey = { pk: string; sk: string };

/**
 * Leases the item to `lease.owner` until `lease.expiresAt`, unless another holder's lease is live at `now`. Answers
 * the item as it stands once leased (the re-read the refresher decides on, at no extra cost), or undefined when the
 * item is gone or held.
 */
export async function acquireLease(
  db: DynamoDBDocumentClient,
  table: string,
  key: ItemKey,
  lease: { owner: string; expiresAt: number },
  now: number,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now OR leaseOwner = :owner)',
        ExpressionAttributeValues: { ':owner': lease.owner, ':expires': lease.expiresAt, ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Gives the lease up, if `owner` still holds it. */
export async function releaseLease(db: DynamoDBDocumentClient, table: string, key: ItemKey, owner: string): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'REMOVE leaseOwner, leaseExpiresAt',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
