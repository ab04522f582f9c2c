/** What every AttemptStore must do: count within a window, start a new one when it ends, count races once each. */
import { describe, expect, it } from 'vitest';
import type { AttemptStore } from '../../functions/domain/ports.ts';

let next = 0;
const key = () => `contract-${process.pid}-${next++}`;

const count = async (s: AttemptStore, k: string, now: number) => (await s.counts([k], now))[0];

export function attemptStoreContract(name: string, store: () => AttemptStore) {
  describe(`AttemptStore contract: ${name}`, () => {
    it('has no count before the first failure', async () => {
      await expect(count(store(), key(), 1000)).resolves.toBeUndefined();
    });

    it('counts failures within the window, which starts with the first and ends at its second', async () => {
      const k = key();
      await store().increment(k, 1000, 900);
      await store().increment(k, 1500, 900);
      await expect(count(store(), k, 1899)).resolves.toEqual({ count: 2, resetAt: 1900 });
      await expect(count(store(), k, 1900)).resolves.toBeUndefined();
      await store().increment(k, 1900, 900);
      await expect(count(store(), k, 1900)).resolves.toEqual({ count: 1, resetAt: 2800 });
    });

    it('counts concurrent failures once each, the first of them included', async () => {
      const k = key();
      await Promise.all(Array.from({ length: 10 }, () => store().increment(k, 1000, 900)));
      await expect(count(store(), k, 1000)).resolves.toEqual({ count: 10, resetAt: 1900 });
    });

    it('reads several counters at once, in the order asked', async () => {
      const [a, b, c] = [key(), key(), key()];
      await store().increment(a, 1000, 900);
      await store().increment(c, 1000, 60);
      await store().increment(c, 1000, 60);
      await expect(store().counts([c, b, a], 1000)).resolves.toEqual([{ count: 2, resetAt: 1060 }, undefined, { count: 1, resetAt: 1900 }]);
    });

    it('resets to zero, and a reset of nothing is no error', async () => {
      const k = key();
      await store().increment(k, 1000, 900);
      await store().reset(k);
      await expect(count(store(), k, 1000)).resolves.toEqual({ count: 0, resetAt: 1900 });
      await expect(store().reset(key())).resolves.toBeUndefined();
    });
  });
}
