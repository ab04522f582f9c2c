/**
 * State-report grants in the single table, one item per Rokid user (table.ts), their token sealed under the
 * Rokid user's id as a link's are under the link's. A newer grant replaces an older one only if it was granted
 * later; every other write is conditional on the version read (and the lease, for a refresher).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventGrant } from '../../domain/events/grant.ts';
import type { GrantStore } from '../../domain/events/ports.ts';
import type { CredentialCipher } from '../../domain/ports.ts';
import { dueIndexPage, vendorUserIds } from './indexes.ts';
import { DUE_INDEX, duePartition, GRANT_PREFIX, grantDueShard, isConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

/** How long an ended grant is kept, for operators to see why a user's events stopped. */
const ENDED_KEEP_S = 30 * 24 * 3600;

const sealContext = (rokidUserId: string) => `grant:${rokidUserId}`;

export class DynamoGrantStore implements GrantStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cipher: CredentialCipher;

  constructor(db: DynamoDBDocumentClient, tableName: string, cipher: CredentialCipher) {
    this.#db = db;
    this.#table = tableName;
    this.#cipher = cipher;
  }

  async replace(grant: EventGrant): Promise<boolean> {
    return this.#put(grant, 'attribute_not_exists(pk) OR grantedAtMs < :granted', { ':granted': grant.grantedAtMs });
  }

  async get(rokidUserId: string): Promise<EventGrant | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.grant(rokidUserId), ConsistentRead: true }));
    return Item && this.#open(Item);
  }

  async update(next: EventGrant, options: { leaseOwner?: string } = {}): Promise<boolean> {
    const leased = options.leaseOwner !== undefined;
    return this.#put(next, leased ? 'version = :expected AND leaseOwner = :owner' : 'version = :expected', {
      ':expected': next.version - 1,
      ...(leased ? { ':owner': options.leaseOwner } : {}),
    });
  }

  async acquireLease(rokidUserId: string, lease: { owner: string; expiresAt: number }, now: number): Promise<EventGrant | undefined> {
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.grant(rokidUserId),
          UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)',
          ExpressionAttributeValues: { ':owner': lease.owner, ':expires': lease.expiresAt, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes && this.#open(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async releaseLease(rokidUserId: string, owner: string): Promise<void> {
    await this.#db
      .send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.grant(rokidUserId),
          UpdateExpression: 'REMOVE leaseOwner, leaseExpiresAt',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async *due(dueBy: number): AsyncIterable<string> {
    for (let shard = 0; shard < DUE_INDEX.shards; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dueIndexPage(this.#db, this.#table, duePartition(shard, 'grants'), dueBy, startKey);
        for (const found of page.Items ?? []) yield String(found['pk']).slice(GRANT_PREFIX.length);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }

  async ofVendorUser(vendorUserId: string): Promise<EventGrant[]> {
    const ids = await this.idsOfVendorUser(vendorUserId);
    const grants = await Promise.all(ids.map((id) => this.get(id)));
    // The index is eventually consistent: a grant replaced under another vendor user since is not theirs.
    return grants.filter((grant): grant is EventGrant => grant !== undefined && grant.vendorUserId === vendorUserId);
  }

  idsOfVendorUser(vendorUserId: string): Promise<string[]> {
    return vendorUserIds(this.#db, this.#table, vendorUserId, GRANT_PREFIX);
  }

  async #put(grant: EventGrant, condition: string, values: Record<string, unknown>): Promise<boolean> {
    const { credentials, refreshDueAt, vendorUserId, ...fields } = grant;
    const sealed = await this.#cipher.seal(JSON.stringify(credentials), sealContext(grant.rokidUserId));
    const live = grant.status === 'active';
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.grant(grant.rokidUserId),
            ...fields,
            // An ended grant leaves the vendor-user index, so that delivery meets live grants only.
            ...(live ? { vendorUserId } : { formerVendorUserId: vendorUserId }),
            ...(refreshDueAt === undefined ? {} : { refreshAt: refreshDueAt }),
            credentials: { ...(credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt }), sealed },
            // Filed in the due index only while there is refreshing to do.
            ...(live && refreshDueAt !== undefined
              ? { [DUE_INDEX.partitionKey]: grantDueShard(grant.rokidUserId), [DUE_INDEX.sortKey]: refreshDueAt }
              : {}),
            ...(live ? {} : { [TTL_ATTRIBUTE]: grant.updatedAt + ENDED_KEEP_S }),
          },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #open(item: Record<string, unknown>): Promise<EventGrant> {
    const {
      pk: _pk,
      sk: _sk,
      [TTL_ATTRIBUTE]: _ttl,
      [DUE_INDEX.partitionKey]: _shard,
      [DUE_INDEX.sortKey]: _due,
      refreshAt,
      credentials,
      formerVendorUserId,
      ...fields
    } = item;
    if (formerVendorUserId !== undefined) fields['vendorUserId'] = formerVendorUserId;
    const kept = credentials as { sealed: string };
    const opened = JSON.parse(await this.#cipher.open(kept.sealed, sealContext(String(fields['rokidUserId']))));
    return {
      ...(fields as unknown as EventGrant),
      credentials: opened,
      ...(refreshAt === undefined ? {} : { refreshDueAt: Number(refreshAt) }),
    };
  }
}
