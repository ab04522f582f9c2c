/** In-memory ports for domain tests, which run without a network. Same contracts as the DynamoDB adapters. */

import { type AttemptLimitSettings, AttemptLimits } from '../../functions/domain/limits/attempt-limits.ts';
import type {
  AttemptStore,
  AuthorizationStore,
  Clock,
  IssuedCode,
  LinkHeader,
  LinkStore,
  RefreshMetrics,
  RevocationMetrics,
  ThrottleRecord,
} from '../../functions/domain/ports.ts';
import { nextVisitAt } from '../../functions/domain/refresh/schedule.ts';
import type { FailureKind } from '../../functions/domain/upstream-error.ts';
import type { Link } from '../../functions/domain/vault/link.ts';
import { atRest } from '../../functions/domain/vault/refresh-family.ts';

export class InMemoryLinkStore implements LinkStore {
  readonly items = new Map<string, Link>();

  async create(link: Link): Promise<void> {
    if (this.items.has(link.linkId)) throw new Error('ConditionalCheckFailed: link exists');
    this.items.set(link.linkId, structuredClone(atRest(link)));
  }

  async get(linkId: string): Promise<Link | undefined> {
    const link = this.items.get(linkId);
    return link && structuredClone(link);
  }

  async header(linkId: string): Promise<LinkHeader | undefined> {
    const link = this.items.get(linkId);
    if (!link) return undefined;
    const { credentials, ...rest } = structuredClone(link);
    return {
      ...rest,
      credentials: credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt },
      openCredentials: async () => credentials,
    };
  }

  async update(next: Link, options: { leaseOwner?: string } = {}): Promise<boolean> {
    const current = this.items.get(next.linkId);
    if (!current || current.version !== next.version - 1) return false;
    if (options.leaseOwner !== undefined && current.leaseOwner !== options.leaseOwner) return false;
    this.items.set(next.linkId, structuredClone(atRest(next)));
    return true;
  }

  async acquireLease(linkId: string, lease: { owner: string; expiresAt: number }, now: number): Promise<Link | undefined> {
    const current = this.items.get(linkId);
    const heldByAnother = current?.leaseExpiresAt !== undefined && current.leaseExpiresAt > now && current.leaseOwner !== lease.owner;
    if (!current || heldByAnother) return undefined;
    current.leaseOwner = lease.owner;
    current.leaseExpiresAt = lease.expiresAt;
    return structuredClone(current);
  }

  async releaseLease(linkId: string, owner: string): Promise<void> {
    const current = this.items.get(linkId);
    if (current?.leaseOwner !== owner) return;
    delete current.leaseOwner;
    delete current.leaseExpiresAt;
  }

  async *due(dueBy: number): AsyncIterable<string> {
    for (const link of this.items.values()) if (nextVisitAt(link) <= dueBy) yield link.linkId;
  }

  async delete(linkId: string, version: number): Promise<boolean> {
    if (this.items.get(linkId)?.version !== version) return false;
    return this.items.delete(linkId);
  }

  async ofVendorUser(vendorUserId: string): Promise<string[]> {
    return [...this.items.values()].filter((link) => link.vendorUserId === vendorUserId).map((link) => link.linkId);
  }

  async *all(): AsyncIterable<LinkHeader> {
    for (const linkId of [...this.items.keys()]) {
      const header = await this.header(linkId);
      if (header) yield header;
    }
  }
}

export class FakeClock implements Clock {
  seconds = 1_800_000_000;
  now(): number {
    return this.seconds;
  }
  advance(seconds: number): void {
    this.seconds += seconds;
  }
}

/** Counts what the refresh machinery reports. */
export class CountingMetrics implements RefreshMetrics, RevocationMetrics {
  counts = { refreshed: 0, transientFailure: 0, needsRelink: 0, linkRevoked: 0, revocationFailed: 0 };
  linkRevoked(): void {
    this.counts.linkRevoked++;
  }
  revocationFailed(): void {
    this.counts.revocationFailed++;
  }
  lags: number[] = [];
  refreshed(lagS: number): void {
    this.counts.refreshed++;
    this.lags.push(lagS);
  }
  transientFailure(): void {
    this.counts.transientFailure++;
  }
  needsRelink(): void {
    this.counts.needsRelink++;
  }
  /** Upstream failures by kind (refused, unreadable, unavailable). */
  failures: Record<string, number> = {};
  upstreamFailure(kind: FailureKind): void {
    this.failures[kind] = (this.failures[kind] ?? 0) + 1;
  }
}

/** Keeps log lines for assertions (and to check no token ever reaches one). */
export class RecordingLog {
  lines: { level: 'info' | 'warn'; message: string; details: Record<string, unknown> }[] = [];
  info(message: string, details: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, details });
  }
  warn(message: string, details: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, details });
  }
}

/** The OAuth flows' records in memory, single-use as in DynamoDB. */
export class InMemoryAuthorizationStore implements AuthorizationStore {
  readonly usedStates = new Set<string>();
  readonly codes = new Map<string, { linkId: string; expiresAt: number; consumed?: boolean }>();
  readonly deviceTokens = new Map<string, { token: Record<string, unknown>; issuedAt: number }>();

  async useState(stateHash: string): Promise<boolean> {
    // Check and mark in one step, with no await between: DynamoDB's conditional put is atomic too.
    if (this.usedStates.has(stateHash)) return false;
    this.usedStates.add(stateHash);
    return true;
  }
  async saveCode(codeHash: string, linkId: string, expiresAt: number): Promise<void> {
    this.codes.set(codeHash, { linkId, expiresAt });
  }
  async consumeCode(codeHash: string, now: number) {
    const found = this.codes.get(codeHash);
    if (!found || found.consumed || found.expiresAt <= now) return undefined;
    found.consumed = true;
    return found.linkId;
  }
  readonly issuedCodes = new Map<string, { code: IssuedCode; expiresAt: number; consumed?: boolean }>();
  async saveIssuedCode(codeHash: string, code: IssuedCode, expiresAt: number): Promise<void> {
    this.issuedCodes.set(codeHash, { code: structuredClone(code), expiresAt });
  }
  async redeemIssuedCode(codeHash: string, now: number) {
    const found = this.issuedCodes.get(codeHash);
    if (!found || found.expiresAt <= now) return undefined;
    const replayed = found.consumed === true;
    found.consumed = true;
    return { code: structuredClone(found.code), replayed };
  }
  async saveDeviceToken(key: { appId: string; deviceId: string; requestId: string }, token: Record<string, unknown>, issuedAt: number) {
    this.deviceTokens.set(JSON.stringify(key), { token, issuedAt });
  }
  async deviceToken(key: { appId: string; deviceId: string; requestId: string }) {
    return this.deviceTokens.get(JSON.stringify(key));
  }
}

/** Sign-in throttling's records in memory, each check-and-set in one step, as DynamoDB's conditional writes are. */
export class InMemoryAttemptStore implements AttemptStore {
  readonly records = new Map<string, ThrottleRecord>();
  readonly windows = new Map<string, { count: number; resetAt: number }>();
  async read(key: string) {
    const record = this.records.get(key);
    return record && { ...record };
  }
  async start(key: string, first: ThrottleRecord): Promise<boolean> {
    const record = this.records.get(key);
    if (record && record.failures !== 0) return false;
    this.records.set(key, { ...first });
    return true;
  }
  async write(key: string, next: ThrottleRecord, expectedVersion: number): Promise<boolean> {
    if ((this.records.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.records.set(key, { ...next });
    return true;
  }
  async clear(key: string): Promise<void> {
    const record = this.records.get(key);
    if (record) this.records.set(key, { failures: 0, openAt: 0, version: record.version + 7919 });
  }
  async reserveInWindow(key: string, limit: number, now: number, windowS: number): Promise<boolean> {
    const window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.set(key, { count: 1, resetAt: now + windowS });
      return true;
    }
    if (window.count >= limit) return false;
    window.count++;
    return true;
  }
  async releaseInWindow(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count--;
  }
}

/** The defaults of functions/config.ts. */
export const DEFAULT_LIMITS: AttemptLimitSettings = {
  freeFailures: 5,
  delayBaseS: 1,
  delayCapS: 1200,
  deviceFailures: 10,
  perIp: 1000,
  windowS: 900,
};

/** Attempt limits on an in-memory store, with the HMAC left out: tests read the records' keys. */
export function testLimits(clock: Clock = new FakeClock(), settings: Partial<AttemptLimitSettings> = {}) {
  const store = new InMemoryAttemptStore();
  // Counts what the limits report refusing, as the deployed functions' `sign_ins_throttled` does.
  const metrics = {
    throttled: 0,
    signInThrottled() {
      metrics.throttled++;
    },
  };
  const limits = new AttemptLimits({ store, clock, settings: { ...DEFAULT_LIMITS, ...settings }, hmac: async (text) => text, metrics });
  return Object.assign(limits, { store, metrics });
}

export const FROM = { sourceIp: '203.0.113.7' };
