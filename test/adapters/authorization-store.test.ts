/** The OAuth records on dynalite: consuming is conditional, so racing callbacks get a state once between them. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoAuthorizationStore } from '../../functions/adapters/dynamodb/authorization-store.ts';
import { testTable } from '../support/dynamodb.ts';

let table: Awaited<ReturnType<typeof testTable>>;
let store: DynamoAuthorizationStore;
beforeAll(async () => {
  table = await testTable();
  store = new DynamoAuthorizationStore(table.db, table.tableName);
});
afterAll(() => table.close());

const pending = (stateHash: string, expiresAt: number) => ({
  stateHash,
  codeVerifier: 'v'.repeat(43),
  target: { kind: 'homebase' as const, callbackURL: 'https://homebase.rokid.com/cb' },
  expiresAt,
});

it('ten concurrent consumers of one pending authorization: exactly one gets it', async () => {
  await store.savePending(pending('s-race', 2000));
  const results = await Promise.all(Array.from({ length: 10 }, () => store.consumePending('s-race', 1000)));
  expect(results.filter(Boolean)).toEqual([pending('s-race', 2000)]);
  await expect(store.peekPending('s-race', 1000)).resolves.toBeUndefined();
});

it('an expired pending authorization or code is not consumed, at the second it expires', async () => {
  await store.savePending(pending('s-old', 2000));
  await expect(store.peekPending('s-old', 1999)).resolves.toBeDefined();
  await expect(store.consumePending('s-old', 2000)).resolves.toBeUndefined();
  await store.saveCode('c-old', 'link-1', 2000);
  await expect(store.consumeCode('c-old', 2000)).resolves.toBeUndefined();
});

it('a code is consumed once, among concurrent callers', async () => {
  await store.saveCode('c-race', 'link-9', 2000);
  const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeCode('c-race', 1000)));
  expect(results.filter(Boolean)).toEqual(['link-9']);
});

it('keeps a device token by app, device and request', async () => {
  const key = { appId: 'a', deviceId: 'd#1', requestId: 'r' };
  await store.saveDeviceToken(key, { access_token: 't' }, 1000);
  await expect(store.deviceToken(key)).resolves.toEqual({ token: { access_token: 't' }, issuedAt: 1000 });
  await expect(store.deviceToken({ ...key, requestId: 'other' })).resolves.toBeUndefined();
});
