import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CredentialCipher, LinkHeader, LinkStore } from '../../domain/ports.ts';
import type { Link } from '../../domain/vault/link.ts';
import { dueIndexPage, vendorUserIds } from './indexes.ts';
import { acquireLease, releaseLease } from './leases.ts';
import { headerOf, linkOf, sealedItem } from './link-item.ts';
import { DUE_INDEX, duePartition, isConditionFailure, keys, LINK_PREFIX } from './table.ts';

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
    const leased = await acquireLease(this.#db, this.#table, keys.link(linkId), lease, now);
    return leased && linkOf(leased, this.#cipher);
  }

  async releaseLease(linkId: string, owner: string): Promise<void> {
    await releaseLease(this.#db, this.#table, keys.link(linkId), owner);
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

  async delete(linkId: string, version: number): Promise<boolean> {
    try {
      await this.#db.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: keys.link(linkId),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': version },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  ofVendorUser(vendorUserId: string): Promise<string[]> {
    // The index holds the user's grants too (table.ts).
    return vendorUserIds(this.#db, this.#table, vendorUserId, LINK_PREFIX);
  }

  async *all(): AsyncIterable<LinkHeader> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: 'begins_with(pk, :link)',
          ExpressionAttributeValues: { ':link': LINK_PREFIX },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield headerOf(item, this.#cipher);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  #duePage(shard: number, dueBy: number, startKey?: Record<string, unknown>) {
    return dueIndexPage(this.#db, this.#table, duePartition(shard), dueBy, startKey);
  }
}
