/**
 * v2's message records on DynamoDB (dynalite): claimed → dispatched → answered. One claim per message, answers
 * kept, lapsed claims taken over only before they dispatched, stale writers ignored, and a write whose answer was
 * lost (and that the SDK retried, through test/support/dynamodb-faults.ts) recognised as the writer's own.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoReplyStore } from '../../functions/adapters/dynamodb/reply-store.ts';
import { documentClientAt, testTable } from '../support/dynamodb.ts';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';

let table: Awaited<ReturnType<typeof testTable>>;
let store: DynamoReplyStore;
beforeAll(async () => {
  table = await testTable('reply-store');
  store = new DynamoReplyStore(table.db, table.tableName);
});
afterAll(() => table.close());

const NOW = 1_800_000_000;
const claimIdOf = (claim: unknown) => (claim as { claimId: string }).claimId;

/** A store whose client goes through the fault proxy: a lost answer is retried by the SDK itself, as against AWS. */
let faults: DynamoFaults;
let lossyDb: DynamoDBDocumentClient;
let lossy: DynamoReplyStore;
beforeAll(async () => {
  faults = await startDynamoFaults();
  faults.target = table.endpoint;
  lossyDb = documentClientAt(faults.url);
  lossy = new DynamoReplyStore(lossyDb, table.tableName);
});
afterAll(async () => {
  lossyDb.destroy();
  await faults.close();
});
const loseNext = (operation: string) => {
  faults.rule = firstCalls((call) => call.operation === operation, 'lose-answer');
};

describe('DynamoReplyStore', () => {
  it('claims a message once: a second claim meets the first, then its answer', async () => {
    const first = await store.claim('m-1', 'fp', NOW, NOW + 10);
    expect(first).toMatchObject({ state: 'claimed', claimId: expect.any(String) });
    await expect(store.claim('m-1', 'fp', NOW + 1, NOW + 11)).resolves.toEqual({
      state: 'in_progress',
      fingerprint: 'fp',
      leaseUntil: NOW + 10,
    });
    await store.save('m-1', claimIdOf(first), { header: { name: 'Response' } }, NOW + 600);
    await expect(store.claim('m-1', 'other', NOW + 2, NOW + 12)).resolves.toEqual({
      state: 'answered',
      reply: { header: { name: 'Response' } },
      fingerprint: 'fp',
    });
    await expect(store.read('m-1', NOW + 599)).resolves.toMatchObject({ state: 'answered' });
  });

  it('an answer kept past its expiry, or a claim past its lease that never dispatched, is free to claim again', async () => {
    const first = await store.claim('m-2', 'fp', NOW, NOW + 10);
    await store.save('m-2', claimIdOf(first), { a: 1 }, NOW + 600);
    await expect(store.read('m-2', NOW + 600)).resolves.toBeUndefined();
    await expect(store.claim('m-2', 'fp', NOW + 600, NOW + 610)).resolves.toMatchObject({ state: 'claimed' });
    await expect(store.claim('m-3', 'fp', NOW, NOW + 10)).resolves.toMatchObject({ state: 'claimed' });
    await expect(store.claim('m-3', 'fp', NOW + 10, NOW + 20)).resolves.toMatchObject({ state: 'claimed' });
  });

  it('a dispatched claim never lapses into acting again: past its lease it is reported, not taken over', async () => {
    const first = await store.claim('m-6', 'fp', NOW, NOW + 4);
    await expect(store.dispatch('m-6', claimIdOf(first), NOW + 600)).resolves.toBe(true);
    await expect(store.claim('m-6', 'fp', NOW + 2, NOW + 6)).resolves.toEqual({
      state: 'dispatched',
      fingerprint: 'fp',
      leaseUntil: NOW + 4,
    });
    // The dispatching invocation is long gone: still dispatched, until the record expires.
    await expect(store.claim('m-6', 'fp', NOW + 300, NOW + 304)).resolves.toEqual({
      state: 'dispatched',
      fingerprint: 'fp',
      leaseUntil: NOW + 4,
    });
    await expect(store.claim('m-6', 'fp', NOW + 600, NOW + 604)).resolves.toMatchObject({ state: 'claimed' });
  });

  it('a stale claimant can neither dispatch, overwrite the new claimant’s answer, nor give its claim back', async () => {
    const stale = await store.claim('m-4', 'fp', NOW, NOW + 10);
    const fresh = await store.claim('m-4', 'fp', NOW + 10, NOW + 20);
    await expect(store.dispatch('m-4', claimIdOf(stale), NOW + 600)).resolves.toBe(false);
    await store.save('m-4', claimIdOf(stale), { who: 'stale' }, NOW + 600);
    await store.release('m-4', claimIdOf(stale));
    await expect(store.read('m-4', NOW + 11)).resolves.toEqual({ state: 'in_progress', fingerprint: 'fp', leaseUntil: NOW + 20 });
    await store.save('m-4', claimIdOf(fresh), { who: 'fresh' }, NOW + 600);
    await expect(store.read('m-4', NOW + 12)).resolves.toEqual({ state: 'answered', reply: { who: 'fresh' }, fingerprint: 'fp' });
  });

  it('a claim given back frees the message, dispatched or not; an answered one cannot be given back', async () => {
    const claim = await store.claim('m-5', 'fp', NOW, NOW + 10);
    await store.release('m-5', claimIdOf(claim));
    await expect(store.read('m-5', NOW)).resolves.toBeUndefined();
    const dispatched = await store.claim('m-5', 'fp', NOW, NOW + 10);
    await store.dispatch('m-5', claimIdOf(dispatched), NOW + 600);
    // The device cloud answered an error status: nothing was applied, and a resend may try again.
    await store.release('m-5', claimIdOf(dispatched));
    await expect(store.read('m-5', NOW)).resolves.toBeUndefined();
    const again = await store.claim('m-5', 'fp', NOW, NOW + 10);
    await store.save('m-5', claimIdOf(again), { ok: true }, NOW + 600);
    await store.release('m-5', claimIdOf(again));
    await expect(store.read('m-5', NOW)).resolves.toEqual({ state: 'answered', reply: { ok: true }, fingerprint: 'fp' });
  });

  it('knows its own claim when the answer to its put was lost and the SDK retried it (no false busy, no dangling claim)', async () => {
    loseNext('PutItem');
    const claim = await lossy.claim('m-7', 'fp', NOW, NOW + 10);
    expect(faults.injected).toContainEqual({ operation: 'PutItem', fault: 'lose-answer' });
    expect(claim).toMatchObject({ state: 'claimed', claimId: expect.any(String) });
    await expect(lossy.dispatch('m-7', claimIdOf(claim), NOW + 600)).resolves.toBe(true);
    await lossy.save('m-7', claimIdOf(claim), { mine: true }, NOW + 600);
    await expect(store.read('m-7', NOW)).resolves.toEqual({ state: 'answered', reply: { mine: true }, fingerprint: 'fp' });
  });

  it('a dispatch or an answer written twice (its first answer lost) is written once, and still its own', async () => {
    const claim = await store.claim('m-8', 'fp', NOW, NOW + 10);
    loseNext('UpdateItem');
    await expect(lossy.dispatch('m-8', claimIdOf(claim), NOW + 600)).resolves.toBe(true);
    loseNext('UpdateItem');
    await lossy.save('m-8', claimIdOf(claim), { kept: 1 }, NOW + 600);
    await expect(store.read('m-8', NOW)).resolves.toEqual({ state: 'answered', reply: { kept: 1 }, fingerprint: 'fp' });
  });
});
