import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LinkStore } from '../../domain/ports.ts';
import type { Link } from '../../domain/vault/link.ts';
import { TTL_ATTRIBUTE, keys } from './table.ts';

/** Links in the single table, one item each. */
export class DynamoLinkStore implements LinkStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.#db = db;
    this.#table = tableName;
  }

  async create(link: Link): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...keys.link(link.linkId), ...link, [TTL_ATTRIBUTE]: retainUntil(link) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(linkId: string): Promise<Link | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.link(linkId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, ...link } = Item;
    return link as Link;
  }
}

/** A link is worth keeping while any of its driver tokens can still be presented. */
const retainUntil = (link: Link): number => Math.max(link.userTokenExpiresAt, link.refreshTokenExpiresAt);
