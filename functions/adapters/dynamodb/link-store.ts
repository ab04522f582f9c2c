import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CredentialCipher, LinkHeader, LinkStore } from '../../domain/ports.ts';
import type { Link, UpstreamCredentials } from '../../domain/vault/link.ts';
import { isSealed } from '../crypto/envelope-cipher.ts';
import { DUE_INDEX, dueShard, isConditionFailure, keys, LINK_PREFIX, TTL_ATTRIBUTE } from './table.ts';

/** Links in the single table, one item each; every write is a single-item conditional write. */
export class DynamoLinkStore implements LinkStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cipher: CredentialCipher;

  constructor(db: DynamoDBDocumentClient, tableName: string, cipher: CredentialCipher) {
    this.#db = db;
    this.#table = tableName;
    this.#cipher = cipher;
  }

  async create(link: Link): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: await sealedItem(link, this.#cipher),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(linkId: string): Promise<Link | undefined> {
    const item = await this.#read(linkId);
    return item && linkOf(item, this.#cipher);
  }

  async header(linkId: string): Promise<LinkHeader | undefined> {
    const item = await this.#read(linkId);
    return item && headerOf(item, this.#cipher);
  }

  async #read(linkId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.link(linkId), ConsistentRead: true }));
    return Item;
  }

  async update(next: Link, options: { leaseOwner?: string } = {}): Promise<boolean> {
    const leased = options.leaseOwner !== undefined;
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: await sealedItem(next, this.#cipher),
          ConditionExpression: leased ? 'version = :expected AND leaseOwner = :owner' : 'version = :expected',
          ExpressionAttributeValues: { ':expected': next.version - 1, ...(leased ? { ':owner': options.leaseOwner } : {}) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async acquireLease(linkId: string, lease: { owner: string; expiresAt: number }, now: number): Promise<Link | undefined> {
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.link(linkId),
          UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)',
          ExpressionAttributeValues: { ':owner': lease.owner, ':expires': lease.expiresAt, ':now': now },
          // The item as it stands once leased: the re-read the refresher decides on, at no extra cost.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes && linkOf(Attributes, this.#cipher);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async releaseLease(linkId: string, owner: string): Promise<void> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.link(linkId),
          UpdateExpression: 'REMOVE leaseOwner, leaseExpiresAt',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async *due(dueBy: number): AsyncIterable<string> {
    // Every shard's first page is asked for at once: a run with little due work is then one round trip.
    const firstPages = Array.from({ length: DUE_INDEX.shards }, (_, shard) => this.#duePage(shard, dueBy));
    for (const page of firstPages) page.catch(() => undefined); // a rejection surfaces when its turn comes
    for (let shard = 0; shard < DUE_INDEX.shards; shard++) {
      let page = await firstPages[shard]!;
      for (;;) {
        for (const found of page.Items ?? []) yield String(found['pk']).slice(LINK_PREFIX.length);
        if (!page.LastEvaluatedKey) break;
        page = await this.#duePage(shard, dueBy, page.LastEvaluatedKey);
      }
    }
  }

  #duePage(shard: number, dueBy: number, startKey?: Record<string, unknown>) {
    return this.#db.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: DUE_INDEX.indexName,
        KeyConditionExpression: '#shard = :shard AND #due <= :dueBy',
        ExpressionAttributeNames: { '#shard': DUE_INDEX.partitionKey, '#due': DUE_INDEX.sortKey },
        ExpressionAttributeValues: { ':shard': `due#${shard}`, ':dueBy': dueBy },
        ExclusiveStartKey: startKey,
      }),
    );
  }
}

/**
 * The stored item: the link, its keys, the TTL, and `dueShard` only while the refresh job has work
 * on it, which is what keeps the due index sparse. The credentials' tokens and extra fields are sealed
 * under the link's id; their expiry stays readable, for operators and the refresh job alike.
 */
export async function sealedItem(link: Link, cipher: CredentialCipher): Promise<Record<string, unknown>> {
  const { accessToken, refreshToken, extra, expiresAt } = link.credentials;
  const sealed = await cipher.seal(JSON.stringify({ accessToken, refreshToken, extra }), link.linkId);
  const due = link.status === 'active' && link.refreshDueAt !== undefined;
  return {
    ...keys.link(link.linkId),
    ...link,
    credentials: { ...(expiresAt === undefined ? {} : { expiresAt }), sealed },
    [TTL_ATTRIBUTE]: retainUntil(link),
    ...(due ? { [DUE_INDEX.partitionKey]: dueShard(link.linkId) } : {}),
  };
}

/** The stored item as a header: every field as stored, and the credentials opened on demand, once. */
function headerOf(stored: Record<string, unknown>, cipher: CredentialCipher): LinkHeader {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, [DUE_INDEX.partitionKey]: _shard, credentials, ...fields } = stored;
  const kept = credentials as Record<string, unknown>;
  let opened: Promise<UpstreamCredentials> | undefined;
  return {
    // Links written before refresh existed lack its bookkeeping; they start from a clean slate.
    refreshFailures: 0,
    lastRefreshedAt: fields['updatedAt'],
    ...fields,
    credentials: kept['expiresAt'] === undefined ? {} : { expiresAt: Number(kept['expiresAt']) },
    openCredentials: () => {
      opened ??= openCredentials(kept, String(fields['linkId']), cipher);
      return opened;
    },
  } as unknown as LinkHeader;
}

async function linkOf(stored: Record<string, unknown>, cipher: CredentialCipher): Promise<Link> {
  const { openCredentials: open, ...header } = headerOf(stored, cipher);
  return { ...header, credentials: await open() };
}

async function openCredentials(kept: Record<string, unknown>, linkId: string, cipher: CredentialCipher): Promise<UpstreamCredentials> {
  // A link written before encryption holds its credentials in clear; its next write seals them.
  if (!isSealed(kept['sealed'])) return kept as unknown as UpstreamCredentials;
  const { expiresAt } = kept;
  return { ...JSON.parse(await cipher.open(kept['sealed'], linkId)), ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** A link is worth keeping while any of its driver tokens can still be presented. */
const retainUntil = (link: Link): number => Math.max(link.userTokenExpiresAt, link.refreshTokenExpiresAt);
