/** What sign-in throttling (attempt-limits.ts) needs of a store: functions/adapters/dynamodb/attempt-store.ts implements it; ../ports.ts re-exports it. */

/** An account's (or a device's) failed sign-ins in a row, and when the next attempt may be made. */
export interface ThrottleRecord {
  failures: number;
  openAt: number;
  /** A new random value with every write; 0 for a record not yet written. */
  version: number;
}

/** Sign-in throttling's records, one item each; every write is conditional on what was read. */
export interface AttemptStore {
  read(key: string): Promise<ThrottleRecord | undefined>;
  /** Writes `first` if no streak runs (no record, or one with no failures); false otherwise. */
  start(key: string, first: ThrottleRecord, expiresAt: number): Promise<boolean>;
  /** Writes `next` if the stored record is still at `expectedVersion` (0: none stored); false when another writer won. */
  write(key: string, next: ThrottleRecord, expectedVersion: number, expiresAt: number): Promise<boolean>;
  clear(key: string): Promise<void>;
  /** One more in a fixed window of `windowS`, unless it already holds `limit`: false then, and nothing counted. */
  reserveInWindow(key: string, limit: number, now: number, windowS: number): Promise<boolean>;
  /** Takes one back from a running window. */
  releaseInWindow(key: string): Promise<void>;
}
