/**
 * State-report grants in the single table, one item per (vendor user, Rokid's label) (grant.ts, table.ts), their
 * token sealed under the grant's key as a link's are under the link's. A newer grant replaces an older one only if
 * it was granted later; every other write is conditional on the version read (and the lease, for a refresher).
 * Grants kept by an older driver under Rokid's userId alone are moved to their key when first met (legacy-grants.ts).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventGrant } from '../../domain/events/grant.ts';
import type { GrantStore } from '../../domain/events/ports.ts';
import type { CredentialCipher } from '../../domain/ports.ts';
import { dueIndexPage, vendorUserIdsByPrefix } from './indexes.ts';
import { acquireLease, releaseLease } from './leases.ts';
import { migrateLegacyGrant } from './legacy-grants.ts';
import {
  DUE_INDEX,
  duePartition,
  GRANT_PREFIX,
  grantDueShard,
  isConditionFailure,
  keys,
  LEGACY_GRANT_PREFIX,
  TTL_ATTRIBUTE,
} from './table.ts';

/** How long an ended grant is kept, for operators to see why a user's events stopped. */
const ENDED_KEEP_S = 30 * 24 * 3600;

const sealContext = (key: string) => `grant:${key}`;

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
    const kept = await this.#put(grant, 'attribute_not_exists(pk) OR grantedAtMs < :granted', { ':granted': grant.grantedAtMs });
    // An older driver's grant of this label, if it is this vendor user's, is this one's predecessor: it goes.
    if (grant.rokidUserId !== undefined) await this.#migrate(grant.rokidUserId);
    return kept;
  }

  async get(key: string): Promise<EventGrant | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.grant(key), ConsistentRead: true }));
    return Item && this.#open(Item);
  }

  async update(next: EventGrant, options: { leaseOwner?: string } = {}): Promise<boolean> {
    const leased = options.leaseOwner !== undefined;
    return this.#put(next, leased ? 'version = :expected AND leaseOwner = :owner' : 'version = :expected', {
      ':expected': next.version - 1,
      ...(leased ? { ':owner': options.leaseOwner } : {}),
    });
  }

  async acquireLease(key: string, lease: { owner: string; expiresAt: number }, now: number): Promise<EventGrant | undefined> {
    const leased = await acquireLease(this.#db, this.#table, keys.grant(key), lease, now);
    return leased && this.#open(leased);
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await releaseLease(this.#db, this.#table, keys.grant(key), owner);
  }

  async *due(dueBy: number): AsyncIterable<string> {
    for (let shard = 0; shard < DUE_INDEX.shards; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dueIndexPage(this.#db, this.#table, duePartition(shard, 'grants'), dueBy, startKey);
        for (const found of page.Items ?? []) {
          const pk = String(found['pk']);
          if (pk.startsWith(GRANT_PREFIX)) yield pk.slice(GRANT_PREFIX.length);
          else {
            const key = await this.#migrate(pk.slice(LEGACY_GRANT_PREFIX.length));
            if (key !== undefined) yield key;
          }
        }
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

  async idsOfVendorUser(vendorUserId: string): Promise<string[]> {
    const [current = [], legacy = []] = await vendorUserIdsByPrefix(this.#db, this.#table, vendorUserId, [
      GRANT_PREFIX,
      LEGACY_GRANT_PREFIX,
    ]);
    if (legacy.length === 0) return current;
    const moved = await Promise.all(legacy.map((id) => this.#migrate(id)));
    return [...new Set([...current, ...moved.filter((key): key is string => key !== undefined)])];
  }

  /** Moves an older driver's grant to its key; the key, while it is live. */
  #migrate(legacyId: string): Promise<string | undefined> {
    return migrateLegacyGrant(this.#db, this.#table, legacyId, {
      open: (item) => this.#open(item, sealContext(legacyId)),
      put: (grant) => this.#put(grant, 'attribute_not_exists(pk)', {}),
    });
  }

  async #put(grant: EventGrant, condition: string, values: Record<string, unknown>): Promise<boolean> {
    const { credentials, refreshDueAt, vendorUserId, ...fields } = grant;
    const sealed = await this.#cipher.seal(JSON.stringify(credentials), sealContext(grant.key));
    const live = grant.status === 'active';
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keys.grant(grant.key),
            ...fields,
            // An ended grant leaves the vendor-user index, so that delivery meets live grants only.
            ...(live ? { vendorUserId } : { formerVendorUserId: vendorUserId }),
            ...(refreshDueAt === undefined ? {} : { refreshAt: refreshDueAt }),
            credentials: { ...(credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt }), sealed },
            // Filed in the due index only while there is refreshing to do.
            ...(live && refreshDueAt !== undefined
              ? { [DUE_INDEX.partitionKey]: grantDueShard(grant.key), [DUE_INDEX.sortKey]: refreshDueAt }
              : {}),
            ...(live ? {} : { [TTL_ATTRIBUTE]: grant.updatedAt + ENDED_KEEP_S }),
          },
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async #open(item: Record<string, unknown>, context?: string): Promise<EventGrant> {
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
    const opened = JSON.parse(await this.#cipher.open(kept.sealed, context ?? sealContext(String(fields['key']))));
    return {
      ...(fields as unknown as EventGrant),
      credentials: opened,
      ...(refreshAt === undefined ? {} : { refreshDueAt: Number(refreshAt) }),
    };
  }
}
