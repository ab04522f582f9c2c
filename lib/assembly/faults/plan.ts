/**
 * The fault run's choices, all drawn from its seed: which operations the clients send, and which fault each
 * call of each invocation meets. A fault is drawn from (seed, the invocation's tag, the call's place in the
 * invocation), never from a shared stream, so the same seed gives every send the same faults however the
 * concurrent clients interleave.
 */
import { createHash } from 'node:crypto';

/** A number in [0, 1) fixed by its parts. */
export function draw(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

/** A seeded stream (mulberry32), for a client's own sequence of choices. */
export class Rng {
  #state: number;

  constructor(...parts: (string | number)[]) {
    this.#state = Math.floor(draw(...parts) * 2 ** 32);
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

export type DynamoFault =
  | { kind: 'none' }
  | { kind: 'dynamodb latency'; ms: number }
  | { kind: 'dynamodb error'; status: 400 | 500; type: string }
  | { kind: 'dynamodb applied, answer lost'; as: 'status 500' | 'connection reset' }
  | { kind: 'kill before dynamodb' }
  | { kind: 'kill after dynamodb' };

export type CloudFault =
  | { kind: 'none' }
  | { kind: 'cloud slow'; ms: number }
  | { kind: 'cloud error status'; status: number; body: Record<string, string> }
  | { kind: 'cloud timeout, nothing applied' }
  | { kind: 'cloud applied, then timeout' }
  | { kind: 'cloud applied, then connection dropped' }
  | { kind: 'kill before cloud' }
  | { kind: 'kill after cloud' };

/** How often each fault is drawn, per call (the rest pass untouched). */
export interface FaultRates {
  dynamoLatency: number;
  dynamoError: number;
  dynamoAnswerLost: number;
  cloudSlow: number;
  cloudError: number;
  cloudTimeout: number;
  cloudAppliedTimeout: number;
  cloudAppliedDropped: number;
  killBefore: number;
  killAfter: number;
}

export const DEFAULT_RATES: FaultRates = {
  dynamoLatency: 0.08,
  dynamoError: 0.05,
  dynamoAnswerLost: 0.04,
  cloudSlow: 0.08,
  cloudError: 0.06,
  cloudTimeout: 0.015,
  cloudAppliedTimeout: 0.015,
  cloudAppliedDropped: 0.02,
  killBefore: 0.012,
  killAfter: 0.012,
};

const DYNAMO_ERRORS = [
  { status: 500, type: 'InternalServerError' },
  { status: 400, type: 'ThrottlingException' },
  { status: 400, type: 'ProvisionedThroughputExceededException' },
] as const;

const CLOUD_ERRORS: { status: number; body: Record<string, string> }[] = [
  { status: 503, body: { message: 'The device cloud is overloaded.' } },
  { status: 500, body: { message: 'The device cloud failed.' } },
  { status: 429, body: { message: 'Too many requests.' } },
  { status: 409, body: { errorName: 'E_ENDPOINT_BUSY', message: 'The device is busy.' } },
  { status: 502, body: { errorName: 'E_ENDPOINT_UNREACHABLE', message: 'The device is offline.' } },
];

/** Walks cumulative rates: the first whose share covers `u`, else undefined. */
function choose<K extends string>(u: number, shares: [K, number][]): K | undefined {
  let at = 0;
  for (const [kind, share] of shares) {
    at += share;
    if (u < at) return kind;
  }
  return undefined;
}

export class FaultPlan {
  readonly seed: number;
  readonly rates: FaultRates;
  /** Off while the run drains: every message then gets its answer. */
  enabled = true;

  constructor(seed: number, rates: FaultRates = DEFAULT_RATES) {
    this.seed = seed;
    this.rates = rates;
  }

  dynamo(tag: string, call: number): DynamoFault {
    if (!this.enabled) return { kind: 'none' };
    const r = this.rates;
    const kind = choose(draw(this.seed, tag, call, 'dynamodb'), [
      ['kill before dynamodb', r.killBefore],
      ['kill after dynamodb', r.killAfter],
      ['dynamodb latency', r.dynamoLatency],
      ['dynamodb error', r.dynamoError],
      ['dynamodb applied, answer lost', r.dynamoAnswerLost],
    ]);
    const detail = draw(this.seed, tag, call, 'dynamodb detail');
    switch (kind) {
      case undefined:
        return { kind: 'none' };
      case 'dynamodb latency':
        return { kind, ms: 20 + Math.floor(detail * 280) };
      case 'dynamodb error':
        return { kind, ...DYNAMO_ERRORS[Math.floor(detail * DYNAMO_ERRORS.length)]! };
      case 'dynamodb applied, answer lost':
        return { kind, as: detail < 0.5 ? 'status 500' : 'connection reset' };
      default:
        return { kind };
    }
  }

  cloud(tag: string, call: number): CloudFault {
    if (!this.enabled) return { kind: 'none' };
    const r = this.rates;
    const kind = choose(draw(this.seed, tag, call, 'cloud'), [
      ['kill before cloud', r.killBefore],
      ['kill after cloud', r.killAfter],
      ['cloud slow', r.cloudSlow],
      ['cloud error status', r.cloudError],
      ['cloud timeout, nothing applied', r.cloudTimeout],
      ['cloud applied, then timeout', r.cloudAppliedTimeout],
      ['cloud applied, then connection dropped', r.cloudAppliedDropped],
    ]);
    const detail = draw(this.seed, tag, call, 'cloud detail');
    switch (kind) {
      case undefined:
        return { kind: 'none' };
      case 'cloud slow':
        return { kind, ms: 100 + Math.floor(detail * 1200) };
      case 'cloud error status':
        return { kind, ...CLOUD_ERRORS[Math.floor(detail * CLOUD_ERRORS.length)]! };
      default:
        return { kind };
    }
  }
}
