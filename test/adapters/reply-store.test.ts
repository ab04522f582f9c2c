/** v2's kept replies on DynamoDB (dynalite): one claim per message, answers kept, lapsed claims taken over, stale writers ignored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoReplyStore } from '../../functions/adapters/dynamodb/reply-store.ts';
import { testTable } from '../support/dynamodb.ts';

let table: Awaited<ReturnType<typeof testTable>>;
let store: DynamoReplyStore;
beforeAll(async () => {
  table = await testTable('reply-store');
  store = new DynamoReplyStore(table.db, table.tableName);
});
afterAll(() => table.close());

const NOW = 1_800_000_000;

describe('DynamoReplyStore', () => {
  it('claims a message once: a second claim meets the first, then its answer', async () => {
    const first = await store.claim('m-1', 'fp', NOW, NOW + 10);
    expect(first).toMatchObject({ kind: 'claimed', claimId: expect.any(String) });
    await expect(store.claim('m-1', 'fp', NOW + 1, NOW + 11)).resolves.toEqual({ kind: 'in_progress', fingerprint: 'fp' });
    await store.save('m-1', (first as { claimId: string }).claimId, { header: { name: 'Response' } }, NOW + 600);
    await expect(store.claim('m-1', 'other', NOW + 2, NOW + 12)).resolves.toEqual({
      kind: 'answered',
      reply: { header: { name: 'Response' } },
      fingerprint: 'fp',
    });
    await expect(store.read('m-1', NOW + 599)).resolves.toMatchObject({ kind: 'answered' });
  });

  it('an answer kept past its expiry, or a claim past its lease, is free to claim again', async () => {
    const first = (await store.claim('m-2', 'fp', NOW, NOW + 10)) as { claimId: string };
    await store.save('m-2', first.claimId, { a: 1 }, NOW + 600);
    await expect(store.read('m-2', NOW + 600)).resolves.toBeUndefined();
    await expect(store.claim('m-2', 'fp', NOW + 600, NOW + 610)).resolves.toMatchObject({ kind: 'claimed' });
    await expect(store.claim('m-3', 'fp', NOW, NOW + 10)).resolves.toMatchObject({ kind: 'claimed' });
    await expect(store.claim('m-3', 'fp', NOW + 10, NOW + 20)).resolves.toMatchObject({ kind: 'claimed' });
  });

  it('a stale claimant neither overwrites the new claimant’s answer nor gives its claim back', async () => {
    const stale = (await store.claim('m-4', 'fp', NOW, NOW + 10)) as { claimId: string };
    const fresh = (await store.claim('m-4', 'fp', NOW + 10, NOW + 20)) as { claimId: string };
    await store.save('m-4', stale.claimId, { who: 'stale' }, NOW + 600);
    await store.release('m-4', stale.claimId);
    await expect(store.read('m-4', NOW + 11)).resolves.toEqual({ kind: 'in_progress', fingerprint: 'fp' });
    await store.save('m-4', fresh.claimId, { who: 'fresh' }, NOW + 600);
    await expect(store.read('m-4', NOW + 12)).resolves.toEqual({ kind: 'answered', reply: { who: 'fresh' }, fingerprint: 'fp' });
  });

  it('a claim given back frees the message; an answered one cannot be given back', async () => {
    const claim = (await store.claim('m-5', 'fp', NOW, NOW + 10)) as { claimId: string };
    await store.release('m-5', claim.claimId);
    await expect(store.read('m-5', NOW)).resolves.toBeUndefined();
    const again = (await store.claim('m-5', 'fp', NOW, NOW + 10)) as { claimId: string };
    await store.save('m-5', again.claimId, { ok: true }, NOW + 600);
    await store.release('m-5', again.claimId);
    await expect(store.read('m-5', NOW)).resolves.toEqual({ kind: 'answered', reply: { ok: true }, fingerprint: 'fp' });
  });
});
