/**
 * Refresh through the real handlers: the local driver (the same handlers, dynalite, the UserCenter
 * server) with links whose upstream tokens are made to expire by editing the stored item.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { credentialCipher } from '../../functions/composition/table.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { localClient } from '../../lib/local/dynamodb.ts';
import { postJson } from '../support/http.ts';

let driver: LocalDriver;
let db: DynamoDBDocumentClient;
let links: DynamoLinkStore;
const savedEnv = { ...process.env };
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, settings: { REFRESH_INTERVAL_S: '3600' } });
  db = DynamoDBDocumentClient.from(localClient(driver.dynamoEndpoint));
  links = new DynamoLinkStore(db, driver.config.TABLE_NAME, credentialCipher(driver.config));
});
afterAll(async () => {
  db.destroy();
  await driver.close();
  process.env = savedEnv;
});

const post = (path: string, body: unknown) => postJson(driver.url, path, body);

async function linked() {
  const { data: userAuth } = await post('/command', { command: 'login', params: { username: 'demo', password: 'homebase' } });
  return { userAuth, linkId: linkIdOf('hbu', userAuth.userToken)! };
}

/** Moves the link's upstream expiry (and due time) into the past, as time passing would. */
async function expire(linkId: string, refreshToken?: string) {
  const now = Math.floor(Date.now() / 1000);
  // Through the store: the tokens are sealed, and only the expiry is readable in the item.
  const link = (await links.get(linkId))!;
  const credentials = { ...link.credentials, expiresAt: now - 1, ...(refreshToken ? { refreshToken } : {}) };
  expect(await links.update({ ...link, credentials, refreshDueAt: now - 1, version: link.version + 1 })).toBe(true);
}

it('/list refreshes an expired upstream token inline and answers with the devices', async () => {
  const { userAuth, linkId } = await linked();
  const before = (await links.get(linkId))!;
  await expire(linkId);
  const answer = await post('/list', { userAuth });
  expect(answer.status).toBe(0);
  expect(answer.data.length).toBeGreaterThan(0);
  const after = (await links.get(linkId))!;
  expect(after.credentials.accessToken).not.toBe(before.credentials.accessToken);
  expect(after.credentials.expiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000));
});

it('the scheduled run refreshes due links and reports what it did', async () => {
  const { linkId } = await linked();
  const before = (await links.get(linkId))!;
  await expire(linkId);
  await expect(driver.refresh.runNow()).resolves.toMatchObject({ refreshed: 1, failed: 0, needsRelink: 0 });
  expect((await links.get(linkId))!.credentials.refreshToken).not.toBe(before.credentials.refreshToken);
});

it('a refresh token UserCenter refuses ends the link, and /execute tells the user to relink', async () => {
  const { userAuth, linkId } = await linked();
  await expire(linkId, 'spent-refresh-token');
  const answer = await post('/execute', {
    device: { deviceId: 'living-room-light', userAuth },
    action: { property: 'switch', name: 'on' },
  });
  expect(answer).toEqual({
    status: 1,
    errorName: 'E_INVALID_AUTHORIZATION',
    message: 'The link to your account can no longer be used. Remove the device brand in the Rokid app and link your account again.',
  });
  expect((await links.get(linkId))!.status).toBe('needs_relink');
  await expect(driver.refresh.runNow()).resolves.toMatchObject({ refreshed: 0, needsRelink: 0 });
});
