/**
 * What every AttemptStore must do: replace a record only from the version read (so concurrent
 * reservations each count once), clear one, and count an address's window up to its limit and no further.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptStore } from '../../functions/domain/ports.ts';

let next = 0;
const key = () => `contract-${process.pid}-${next++}`;

export function attemptStoreContract(name: string, store: () => AttemptStore) {
  describe(`AttemptStore contract: ${name}`, () => {
    it('has no record before the first write, and writes one only over the version read', async () => {
      const k = key();
      await expect(store().read(k)).resolves.toBeUndefined();
      await expect(store().write(k, { failures: 1, openAt: 0, version: 1 }, 0, 9999)).resolves.toBe(true);
      await expect(store().write(k, { failures: 1, openAt: 0, version: 1 }, 0, 9999)).resolves.toBe(false);
      await expect(store().write(k, { failures: 2, openAt: 1500, version: 2 }, 1, 9999)).resolves.toBe(true);
      await expect(store().read(k)).resolves.toEqual({ failures: 2, openAt: 1500, version: 2 });
    });

    it('lets one of several writers racing from the same version win', async () => {
      const k = key();
      const wins = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store().write(k, { failures: i, openAt: 0, version: 1 }, 0, 9999)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('clears a record to no failures and a new version, and clearing none is no error', async () => {
      const k = key();
      await store().write(k, { failures: 7, openAt: 5000, version: 1 }, 0, 9999);
      await store().clear(k);
      const cleared = await store().read(k);
      expect(cleared).toEqual({ failures: 0, openAt: 0, version: expect.any(Number) });
      expect(cleared?.version).not.toBe(1);
      await expect(store().clear(key())).resolves.toBeUndefined();
    });

    it('starts a streak only where none runs: no record, or one cleared; one of several racers wins', async () => {
      const k = key();
      const first = (version: number) => ({ failures: 1, openAt: 0, version });
      const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => store().start(k, first(100 + i), 9999)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      await expect(store().start(k, first(200), 9999)).resolves.toBe(false);
      await store().clear(k);
      await expect(store().start(k, first(300), 9999)).resolves.toBe(true);
      await expect(store().read(k)).resolves.toEqual(first(300));
    });

    it('counts a window up to its limit and no further, even when reservations race, and takes one back', async () => {
      const k = key();
      const granted = await Promise.all(Array.from({ length: 8 }, () => store().reserveInWindow(k, 5, 1000, 900)));
      expect(granted.filter(Boolean)).toHaveLength(5);
      await expect(store().reserveInWindow(k, 5, 1899, 900)).resolves.toBe(false);
      await store().releaseInWindow(k);
      await expect(store().reserveInWindow(k, 5, 1899, 900)).resolves.toBe(true);
      // A new window starts when the last one ends.
      await expect(store().reserveInWindow(k, 5, 1900, 900)).resolves.toBe(true);
    });
  });
}
