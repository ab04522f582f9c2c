import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualDeviceCloud } from '../../functions/adapters/device-cloud/virtual/virtual-cloud.ts';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { aLink } from '../contracts/link-store.contract.ts';
import { testCipher } from '../support/credentials.ts';
import { testTable } from '../support/dynamodb.ts';

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable();
});
afterAll(() => table.close());

describe('DynamoDB link store (the contract is in test/contracts)', () => {
  it('reads a link written in clear before encryption, and seals it on its next write', async () => {
    const cipher = testCipher();
    const store = new DynamoLinkStore(table.db, table.tableName, cipher);
    const legacy = aLink({ linkId: 'legacy-1' });
    await table.db.send(new PutCommand({ TableName: table.tableName, Item: { pk: 'LINK#legacy-1', sk: 'LINK', ...legacy } }));
    const read = (await store.get('legacy-1'))!;
    expect(read.credentials).toEqual(legacy.credentials);
    expect(await store.update({ ...read, version: read.version + 1 })).toBe(true);
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'LINK#legacy-1', sk: 'LINK' } }));
    expect(Item?.['credentials']).toEqual({ expiresAt: legacy.credentials.expiresAt, sealed: expect.stringMatching(/^hbe1\./) });
    expect(JSON.stringify(Item)).not.toContain('"accessToken"');
    await expect(store.get('legacy-1')).resolves.toMatchObject({ credentials: legacy.credentials });
  });

  it('keeps the pair a rotation issued sealed with the credentials, gives it back only to get(), and drops it after its grace', async () => {
    const cipher = testCipher();
    const store = new DynamoLinkStore(table.db, table.tableName, cipher);
    const rotationIssued = { userToken: 'hbu.rotated-1.user-secret', refreshToken: 'hbr.rotated-1.refresh-secret', until: 1060 };
    await store.create({ ...aLink({ linkId: 'rotated-1' }), rotationIssued });
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'LINK#rotated-1', sk: 'LINK' } }));
    expect(JSON.stringify(Item)).not.toMatch(/user-secret|refresh-secret|rotationIssued/);
    const read = await store.get('rotated-1');
    expect(read?.rotationIssued).toEqual(rotationIssued);
    expect(read?.credentials).not.toHaveProperty('rotationIssued');
    const header = await store.header('rotated-1');
    await expect(header!.openCredentials()).resolves.not.toHaveProperty('rotationIssued');
    // The first write after its grace seals the credentials without it.
    expect(await store.update({ ...read!, updatedAt: 1061, version: read!.version + 1 })).toBe(true);
    const after = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'LINK#rotated-1', sk: 'LINK' } }));
    const sealed = (after.Item!['credentials'] as { sealed: string }).sealed;
    await expect(cipher.open(sealed, 'rotated-1')).resolves.not.toMatch(/user-secret|refresh-secret|rotationIssued/);
  });

  it('leaves a link to the TTL a week after no driver token can use it, so the refresh job retires it first', async () => {
    const store = new DynamoLinkStore(table.db, table.tableName, testCipher());
    await store.create(aLink({ linkId: 'l1' }));
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'LINK#l1', sk: 'LINK' } }));
    expect(Item?.['ttl']).toBe(5000 + 7 * 86_400);
    // Filed in the due index under its refresh; its own refresh time kept beside it.
    expect(Item).toMatchObject({ refreshDueAt: 1400, refreshAt: 1400, layout: 2 });
  });

  it('reads a link written before layout 2 (refresh time in the index column, no dueShard on a relink) as it was meant', async () => {
    const store = new DynamoLinkStore(table.db, table.tableName, testCipher());
    const { refreshDueAt: _due, ...plain } = aLink({ linkId: 'old-1' });
    await table.db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: 'LINK#old-1', sk: 'LINK', ...plain, refreshDueAt: 1234, dueShard: 'due#1', ttl: 5000 },
      }),
    );
    await expect(store.get('old-1')).resolves.toMatchObject({ refreshDueAt: 1234, credentials: plain.credentials });
    // Its next write moves it to layout 2.
    const link = (await store.get('old-1'))!;
    await store.update({ ...link, version: link.version + 1 });
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'LINK#old-1', sk: 'LINK' } }));
    expect(Item).toMatchObject({ refreshAt: 1234, refreshDueAt: 1234, layout: 2 });
  });
});

describe('virtual device cloud', () => {
  const session = (vendorUserId: string) => ({ vendorUserId, credentials: async () => ({ accessToken: 'a' }) });

  it('seeds a new user with the demo home exactly once, even when first requests race', async () => {
    const cloud = new VirtualDeviceCloud(table.db, table.tableName);
    const lists = await Promise.all(Array.from({ length: 8 }, () => cloud.list(session('racer'))));
    for (const devices of lists) expect(devices).toHaveLength(6);
    const { Items } = await table.db.send(new ScanCommand({ TableName: table.tableName }));
    expect(Items?.filter((item) => item['pk'] === 'VCLOUD#racer' && item['sk'].startsWith('DEVICE#'))).toHaveLength(6);
  });

  it('gives each user device ids of their own', async () => {
    const cloud = new VirtualDeviceCloud(table.db, table.tableName);
    const a = (await cloud.list(session('alice'))).map((d) => d.deviceId);
    const b = (await cloud.list(session('bob'))).map((d) => d.deviceId);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
  });

  it('persists state changes', async () => {
    const cloud = new VirtualDeviceCloud(table.db, table.tableName);
    const tv = (await cloud.list(session('carol'))).find((d) => d.type === 'tv')!;
    await expect(cloud.execute(session('carol'), tv.deviceId, { property: 'volume', name: 'num', value: 55 })).resolves.toMatchObject({
      volume: 55,
    });
    await expect(new VirtualDeviceCloud(table.db, table.tableName).get(session('carol'), tv.deviceId)).resolves.toMatchObject({
      state: { volume: 55 },
    });
  });

  it('applies concurrent actions on one device one after another, losing none', async () => {
    const cloud = new VirtualDeviceCloud(table.db, table.tableName);
    const tv = (await cloud.list(session('dave'))).find((d) => d.type === 'tv')!;
    await Promise.all(Array.from({ length: 4 }, () => cloud.execute(session('dave'), tv.deviceId, { property: 'channel', name: 'next' })));
    await expect(cloud.get(session('dave'), tv.deviceId)).resolves.toMatchObject({ state: { channel: 5 } });
  });

  it('applies 50 concurrent actions on one device, one after another, losing none', { timeout: 60_000 }, async () => {
    // Correctness only, with a budget no loaded machine runs out of; how many fit the deployed 2.5 s is
    // npm run bench:busy's to measure.
    const cloud = () => new VirtualDeviceCloud(table.db, table.tableName, { busyBudgetMs: 60_000 });
    const tv = (await cloud().list(session('gina'))).find((d) => d.type === 'tv')!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => cloud().execute(session('gina'), tv.deviceId, { property: 'channel', name: 'next' })),
    );
    const applied = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    expect(applied).toBe(50);
    // One after another, none lost: the channel moved on once for each action applied.
    const channels = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value['channel'] as number] : []));
    expect(channels.sort((a, b) => a - b)).toEqual(Array.from({ length: applied }, (_, i) => 2 + i));
    await expect(cloud().get(session('gina'), tv.deviceId)).resolves.toMatchObject({ state: { channel: 1 + applied } });
  });

  it('seeds a user whose first call is /get, and knows nothing of unknown devices', async () => {
    const cloud = new VirtualDeviceCloud(table.db, table.tableName);
    await expect(cloud.get(session('erin'), 'vd-unknown')).resolves.toBeUndefined();
    expect(await cloud.list(session('erin'))).toHaveLength(6);
    await expect(cloud.execute(session('erin'), 'vd-unknown', { property: 'switch', name: 'on' })).rejects.toMatchObject({
      errorName: 'E_DRIVER_DEVICE_NO_FOUND',
    });
  });

  it('answers E_ENDPOINT_BUSY when another writer wins every time', async () => {
    const seeding = new VirtualDeviceCloud(table.db, table.tableName);
    const tv = (await seeding.list(session('frank'))).find((d) => d.type === 'tv')!;
    // Before each of the cloud's writes, another writer bumps the version, so every attempt loses.
    let attempts = 0;
    const contended = new Proxy(table.db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
          if (command instanceof UpdateCommand) {
            attempts++;
            await target.send(
              new UpdateCommand({
                TableName: table.tableName,
                Key: command.input.Key,
                UpdateExpression: 'SET version = version + :one',
                ExpressionAttributeValues: { ':one': 1 },
              }),
            );
          }
          return target.send(command as never);
        };
      },
    });
    const cloud = new VirtualDeviceCloud(contended, table.tableName, { random: () => 0, busyBudgetMs: 100 });
    const started = Date.now();
    await expect(cloud.execute(session('frank'), tv.deviceId, { property: 'switch', name: 'on' })).rejects.toMatchObject({
      errorName: 'E_ENDPOINT_BUSY',
    });
    // It kept trying for its budget, then gave up.
    expect(attempts).toBeGreaterThan(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await expect(seeding.get(session('frank'), tv.deviceId)).resolves.toMatchObject({ state: { switch: 'off' } });

    // A caller's deadline (v2's) ends the retries sooner than the cloud's own budget: one attempt, then busy.
    attempts = 0;
    const patient = new VirtualDeviceCloud(contended, table.tableName, { random: () => 0, busyBudgetMs: 60_000 });
    const due = { ...session('frank'), deadline: { remainingMs: () => 0 } };
    await expect(patient.execute(due, tv.deviceId, { property: 'switch', name: 'on' })).rejects.toMatchObject({
      errorName: 'E_ENDPOINT_BUSY',
    });
    expect(attempts).toBe(1);
  });
});
