/**
 * What the device-events webhook does with a signed, well-formed body: every event it has not seen in the last 24
 * hours is stored durably in the queue, and only then is the body acknowledged. An event id seen before is
 * accepted and dropped. The id is claimed before it is queued and marked seen after, so a crash in between
 * leaves the id free for the device cloud's retry: no event is lost to a crash, at worst one is queued twice.
 */
import { hashedKey } from '../hashed-key.ts';
import type { Clock } from '../ports.ts';
import { limiter } from '../refresh/semaphore.ts';
import { DEFAULT_CAUSE, type DeviceEvent, type WebhookEvent } from './device-event.ts';
import { orderEvents } from './ordering.ts';
import type { EventQueue, SeenEvents } from './ports.ts';

/** How long an event id is remembered. */
export const SEEN_KEEP_S = 24 * 3600;
/** How long one request may hold an id it has claimed but not yet queued. */
const CLAIM_S = 60;
/** Claims in flight at once: DynamoDB's latency, not its capacity, bounds a body of a thousand. */
const PARALLEL = 64;

export interface IntakeResult {
  queued: number;
  duplicates: number;
}

/** Another request is queuing some of these events right now; the device cloud should send again shortly. */
export class EventsInFlightError extends Error {
  constructor() {
    super('Some of these events are being stored by another request right now. Send the body again in a few seconds.');
    this.name = 'EventsInFlightError';
  }
}

export const eventKeyOf = (vendorUserId: string, id: string): string => hashedKey(vendorUserId, id);

export class DeviceEventIntake {
  readonly #seen: SeenEvents;
  readonly #queue: EventQueue;
  readonly #clock: Clock;
  readonly #nowMs: () => number;

  constructor(deps: { seen: SeenEvents; queue: EventQueue; clock: Clock; nowMs?: () => number }) {
    this.#seen = deps.seen;
    this.#queue = deps.queue;
    this.#clock = deps.clock;
    this.#nowMs = deps.nowMs ?? Date.now;
  }

  /** Throws EventOrderError (nothing stored) for an event whose order cannot be taken (ordering.ts). */
  async accept(events: readonly WebhookEvent[]): Promise<IntakeResult> {
    const orders = orderEvents(events, this.#nowMs());
    const stamped: DeviceEvent[] = events.map((event, index) => ({
      key: eventKeyOf(event.userId, event.id),
      id: event.id,
      vendorUserId: event.userId,
      deviceId: event.deviceId,
      type: event.type,
      ...(event.state ? { state: event.state } : {}),
      cause: event.cause ?? DEFAULT_CAUSE,
      ...(orders[index] as { order: string; sampledAt: string }),
    }));
    // One body may repeat an id: the first is the event, the rest duplicates.
    const keys = new Set<string>();
    const firstOfEach = stamped.filter((event) => !keys.has(event.key) && keys.add(event.key));
    const now = this.#clock.now();
    const claims = await inBatches(firstOfEach, (event) => this.#seen.claim(event.key, now, now + CLAIM_S));
    const fresh: Array<{ event: DeviceEvent; claimId: string }> = [];
    let inFlight = false;
    claims.forEach((claim, i) => {
      if (claim.kind === 'new') fresh.push({ event: firstOfEach[i] as DeviceEvent, claimId: claim.claimId });
      else if (claim.kind === 'in_flight') inFlight = true;
    });
    const giveBack = () => inBatches(fresh, ({ event, claimId }) => this.#seen.release(event.key, claimId).catch(() => undefined));
    if (inFlight) {
      await giveBack();
      throw new EventsInFlightError();
    }
    try {
      await this.#queue.enqueue(fresh.map(({ event }) => event));
    } catch (error) {
      await giveBack();
      throw error;
    }
    // Queued: a failure from here on only leaves an id claimed until its claim lapses.
    const keepUntil = this.#clock.now() + SEEN_KEEP_S;
    await inBatches(fresh, ({ event, claimId }) => this.#seen.queued(event.key, claimId, keepUntil));
    return { queued: fresh.length, duplicates: events.length - fresh.length };
  }
}

/** Each item's work, `PARALLEL` at a time, the answers in the items' order. */
function inBatches<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const slot = limiter(PARALLEL);
  return Promise.all(items.map((item) => slot(() => work(item))));
}
