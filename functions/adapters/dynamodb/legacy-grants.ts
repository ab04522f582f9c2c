/**
 * Grants an older driver kept under Rokid's userId alone (`GRANT#<rokidUserId>`, or `GRANT#link:…` and
 * `GRANT#vendor:…` for a BearerToken grant), moved to their key (grant.ts) when the store first meets one: in the
 * vendor-user index (delivery), in the due index (the refresh job), or under the label a new AcceptGrant names.
 * Two single-item writes, each conditional: the grant is put under its key unless something is there already (a
 * newer grant, or this one moved before a crash), then the old item is deleted if it is still the version read.
 * A crash between them leaves both; the next read finishes the move, and until then an event may go out twice.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type EventGrant, grantKeyOf } from '../../domain/events/grant.ts';
import { ignoreConditionFailure, keys } from './table.ts';

const LINK = 'link:';
const VENDOR = 'vendor:';

/** The key the grant now lives under while it is live; undefined when there was none, or it had ended. */
export async function migrateLegacyGrant(
  db: DynamoDBDocumentClient,
  table: string,
  legacyId: string,
  store: { open(item: Record<string, unknown>): Promise<EventGrant>; put(grant: EventGrant): Promise<boolean> },
): Promise<string | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: keys.legacyGrant(legacyId), ConsistentRead: true }));
  if (!Item) return undefined;
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
      new DeleteCommand({
        TableName: table,
        Key: keys.legacyGrant(legacyId),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': old.version },
      }),
    )
    .catch(ignoreConditionFailure);
  return live ? key : undefined;
}
