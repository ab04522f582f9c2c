/**
 * Reading the table's two sparse indexes (table.ts), shared by the stores whose items they hold: the due index,
 * partition by partition, and the vendor-user index, whose entries each store filters by its own key prefix.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DUE_INDEX, VENDOR_USER_INDEX } from './table.ts';

/** One page of a due-index partition (`due#3`, `grantdue#3`): the entries due by `dueBy`. */
export const dueIndexPage = (
  db: DynamoDBDocumentClient,
  table: string,
  partition: string,
  dueBy: number,
  startKey?: Record<string, unknown>,
) =>
  db.send(
    new QueryCommand({
      TableName: table,
      IndexName: DUE_INDEX.indexName,
      KeyConditionExpression: '#shard = :shard AND #due <= :dueBy',
      ExpressionAttributeNames: { '#shard': DUE_INDEX.partitionKey, '#due': DUE_INDEX.sortKey },
      ExpressionAttributeValues: { ':shard': partition, ':dueBy': dueBy },
      ExclusiveStartKey: startKey,
    }),
  );

/** The ids of a vendor user's items under one key prefix (`LINK#`, `EVGRANT#`), every page of them. */
export async function vendorUserIds(db: DynamoDBDocumentClient, table: string, vendorUserId: string, prefix: string): Promise<string[]> {
  return (await vendorUserIdsByPrefix(db, table, vendorUserId, [prefix]))[0] ?? [];
}

/** The ids of a vendor user's items under each of several key prefixes, in one pass over the index. */
export async function vendorUserIdsByPrefix(
  db: DynamoDBDocumentClient,
  table: string,
  vendorUserId: string,
  prefixes: readonly string[],
): Promise<string[][]> {
  const ids: string[][] = prefixes.map(() => []);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: VENDOR_USER_INDEX.indexName,
        KeyConditionExpression: '#user = :user',
        ExpressionAttributeNames: { '#user': VENDOR_USER_INDEX.partitionKey },
        ExpressionAttributeValues: { ':user': vendorUserId },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const found of page.Items ?? []) {
      const pk = String(found['pk']);
      const at = prefixes.findIndex((prefix) => pk.startsWith(prefix));
      if (at >= 0) ids[at]?.push(pk.slice(prefixes[at]?.length));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}
