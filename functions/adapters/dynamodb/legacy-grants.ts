/**
 * Grants an older driver kept under Rokid's userId alone (`GRANT#<rokidUserId>`, or `GRANT#link:…` and
 * `GRANT#vendor:…` for a BearerToken grant), moved to their key (grant.ts) when the store first meets one: in the
 * vendor-user index (delivery), in the due index (the refresh job), or under the label a new AcceptGrant names.
 * Two single-item writes, each conditional: the grant is put under its key unless something is there already (a
 * newer grant, or this one moved before a crash), then the old item, if still the version read, is marked moved and
 * leaves both indexes (an update, not a delete: the consumer that meets most of them may not delete; the TTL does).
 * A crash between them leaves both; the next read finishes the move, and until then an event may go out twice.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type EventGrant, grantKeyOf } from '../../domain/events/grant.ts';
import { DUE_INDEX, ignoreConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

const LINK = 'link:';
const VENDOR = 'vendor:';
/** How long a moved item is kept, for operators to see where a grant went. */
const MOVED_KEEP_S = 30 * 24 * 3600;

/** The key the grant now lives under while it is live; undefined when there was none, or it had ended. */
export async function migrateLegacyGrant(
  db: DynamoDBDocumentClient,
  table: string,
  legacyId: string,
  store: { open(item: Record<string, unknown>): Promise<EventGrant>; put(grant: EventGrant): Promise<boolean> },
): Promise<string | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.legacyGrant(legacyId), ConsistentRead: true }));
  if (!Item || Item['status'] === 'moved') return undefined;
  const { rokidUserId: _id, leaseOwner: _o, leaseExpiresAt: _e, ...old } = await store.open(Item);
  // The older driver made these two keys up when a grant named no Rokid user: they are no label.
  const labelled = !legacyId.startsWith(LINK) && !legacyId.startsWith(VENDOR);
  const key = grantKeyOf(labelled ? legacyId : undefined, {
    vendorUserId: old.vendorUserId,
    linkId: legacyId.startsWith(LINK) ? (old.linkId ?? legacyId.slice(LINK.length)) : undefined,
  });
  const live = old.status === 'active';
  // No one confirmed an older driver's label: it is never told to /report/failed.
  if (live) await store.put({ ...old, key, ...(labelled ? { rokidUserId: legacyId, labelVerified: false } : {}) });
  await db
    .send(
      new UpdateCommand({
        TableName: table,
        Key: keys.legacyGrant(legacyId),
        UpdateExpression: 'SET #status = :moved, movedTo = :key, #ttl = :keep REMOVE vendorUserId, #shard, #due',
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#ttl': TTL_ATTRIBUTE,
          '#shard': DUE_INDEX.partitionKey,
          '#due': DUE_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ':moved': 'moved', ':key': key, ':keep': old.updatedAt + MOVED_KEEP_S, ':version': old.version },
      }),
    )
    .catch(ignoreConditionFailure);
  return live ? key : undefined;
}
