import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuthorizationStore, CredentialCipher, IssuedCode } from '../../domain/ports.ts';
import { isSealed } from '../crypto/envelope-cipher.ts';
import { isConditionFailure, keys, TTL_ATTRIBUTE } from './table.ts';

/**
 * The OAuth flows' single-use records. Consuming is one conditional update (not yet used, not yet
 * expired) that answers the item: two callbacks racing with the same state get it once between them.
 * DynamoDB's TTL deletes the leftovers, lazily, so every read checks expiry itself.
 */
export class DynamoAuthorizationStore implements AuthorizationStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cipher: CredentialCipher;

  constructor(db: DynamoDBDocumentClient, tableName: string, cipher: CredentialCipher) {
    this.#db = db;
    this.#table = tableName;
    this.#cipher = cipher;
  }

  async useState(stateHash: string, expiresAt: number): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keys.usedState(stateHash), expiresAt, [TTL_ATTRIBUTE]: expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async saveCode(codeHash: string, linkId: string, expiresAt: number): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...keys.driverCode(codeHash), linkId, expiresAt, [TTL_ATTRIBUTE]: expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consumeCode(codeHash: string, now: number): Promise<string | undefined> {
    const item = await this.#consume(keys.driverCode(codeHash), now);
    return item ? String(item['linkId']) : undefined;
  }

  async saveIssuedCode(codeHash: string, code: IssuedCode, expiresAt: number): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...keys.issuedCode(codeHash), ...code, expiresAt, [TTL_ATTRIBUTE]: expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async redeemIssuedCode(codeHash: string, now: number): Promise<{ code: IssuedCode; replayed: boolean } | undefined> {
    const key = keys.issuedCode(codeHash);
    const item = await this.#consume(key, now);
    if (item) return { code: issuedCodeOf(item), replayed: false };
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true }));
    if (!Item || Item['consumedAt'] === undefined || Number(Item['expiresAt']) <= now) return undefined;
    return { code: issuedCodeOf(Item), replayed: true };
  }

  async saveDeviceToken(key: { appId: string; deviceId: string; requestId: string }, token: Record<string, unknown>, issuedAt: number) {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          ...keys.deviceToken(key.appId, key.deviceId, key.requestId),
          token: await this.#cipher.seal(JSON.stringify(token), deviceContext(key)),
          issuedAt,
          [TTL_ATTRIBUTE]: issuedAt + 300,
        },
      }),
    );
  }

  async deviceToken(key: { appId: string; deviceId: string; requestId: string }) {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.deviceToken(key.appId, key.deviceId, key.requestId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const token = isSealed(Item['token']) ? JSON.parse(await this.#cipher.open(Item['token'], deviceContext(key))) : Item['token'];
    return { token: token as Record<string, unknown>, issuedAt: Number(Item['issuedAt']) };
  }

  async #consume(key: { pk: string; sk: string }, now: number): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET consumedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(consumedAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}

const issuedCodeOf = (item: Record<string, unknown>): IssuedCode => ({
  linkId: String(item['linkId']),
  request: item['request'] as IssuedCode['request'],
});

const deviceContext = (key: { appId: string; deviceId: string; requestId: string }) =>
  JSON.stringify([key.appId, key.deviceId, key.requestId]);
