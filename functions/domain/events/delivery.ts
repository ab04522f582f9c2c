/**
 * Delivers one queued event to Rokid: once to every live grant of its vendor user, as the report its type calls
 * for, never an older state of an interface after a newer one. This file fans the event out and decides what the
 * queue does with it; grant-delivery.ts orders one grant's delivery, gateway-policy.ts reads the gateway's
 * answer, token-renewal.ts renews a refused token.
 *
 * A `changed` event for a device the cloud does not list is never sent (no ghost endpoint at Rokid): the read is
 * tried once more after the first retry's backoff, for a cloud whose list lags its own `added` event, and then the
 * event is dropped, counted (`events_ghost`) and logged with its id.
 */
import type { DeviceService } from '../devices/device-service.ts';
import { DeviceNotFoundError, HomebaseError } from '../errors.ts';
import type { Clock, CloudSession, DiagnosticsLog } from '../ports.ts';
import type { DeviceEvent } from './device-event.ts';
import { GatewayPolicy, type GrantResult } from './gateway-policy.ts';
import { GrantDelivery, POSITION_LEASE_S, type Reading } from './grant-delivery.ts';
import type { EventMetrics } from './metrics.ts';
import type { DeliveryPositions, EventGateway, GrantRenewer, GrantStore } from './ports.ts';

export type DeliveryOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; delayS: number; reason: string }
  | { kind: 'dead_letter'; reason: string };

/**
 * How many times the queue hands an event over before its redrive sets it aside (the stack's maxReceiveCount).
 * With `retryDelayS`, that is 15 s + 30 s + … + 900 s × 5: 91 minutes of retries, over the hour an outage may last.
 */
export const MAX_DELIVERIES = 12;

/** The wait before the `attempt`-th retry: 15 s, doubling to 15 minutes. */
export const retryDelayS = (attempt: number): number => Math.min(900, 15 * 2 ** Math.max(0, attempt - 1));
/** Another delivery of the endpoint is on its way: this one waits only briefly. */
const BUSY_DELAY_S = 5;
/** Busy answers past which an event waits out the holder's lease rather than BUSY_DELAY_S. */
const BRIEF_BUSY_ATTEMPTS = 2;

/**
 * The wait after finding the endpoint held. A live holder is done within seconds, so the first waits are brief; but
 * every redelivery counts against MAX_DELIVERIES, and a holder that died keeps its lease for POSITION_LEASE_S, so a
 * brief wait each time would spend half an event's receives on one dead lease. From the third receive on, the event
 * comes back when the lease lapses.
 */
function busyDelayS(attempt: number, now: number, retries: readonly { busyUntil?: number }[]): number {
  if (attempt <= BRIEF_BUSY_ATTEMPTS) return BUSY_DELAY_S;
  const lapse = Math.max(...retries.map((r) => r.busyUntil ?? now + POSITION_LEASE_S)) - now + 1;
  return Math.min(POSITION_LEASE_S + 1, Math.max(BUSY_DELAY_S, lapse));
}

/** A session on the device cloud for a vendor user, with no request from them: the driver's service credential. */
export type SessionFor = (vendorUserId: string) => CloudSession;

export class ReportDelivery {
  readonly #grants: GrantStore;
  readonly #clock: Clock;
  readonly #devices: DeviceService;
  readonly #sessionFor: SessionFor;
  readonly #metrics: EventMetrics;
  readonly #log: DiagnosticsLog;
  readonly #toGrant: GrantDelivery;

  constructor(deps: {
    grants: GrantStore;
    gateway: EventGateway;
    positions: DeliveryPositions;
    refresher: GrantRenewer;
    devices: DeviceService;
    sessionFor: SessionFor;
    clock: Clock;
    metrics: EventMetrics;
    log: DiagnosticsLog;
  }) {
    this.#grants = deps.grants;
    this.#clock = deps.clock;
    this.#devices = deps.devices;
    this.#sessionFor = deps.sessionFor;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
    const policy = new GatewayPolicy({ ...deps, leaseS: POSITION_LEASE_S });
    this.#toGrant = new GrantDelivery({ ...deps, policy });
  }

  /** `attempt`: how many times the queue has handed this event over, this one included. */
  async deliver(event: DeviceEvent, attempt: number): Promise<DeliveryOutcome> {
    // Most vendor users have no grant: one index read says so, and nothing else is done for them.
    const keys = await this.#grants.idsOfVendorUser(event.vendorUserId);
    if (keys.length === 0) return { kind: 'done' };
    const reading = this.#read(event);
    reading.catch(() => undefined); // each grant's delivery meets a failure, and answers it
    const results = await Promise.all(keys.map((key) => this.#toGrant.deliver(event, reading, key).catch(failedRead)));
    const deadLetter = results.find((result) => result.kind === 'dead_letter');
    if (deadLetter) {
      this.#metrics.eventDeadLettered(deadLetter.reason);
      return { kind: 'dead_letter', reason: deadLetter.reason };
    }
    if (results.some((result) => result.kind === 'ghost')) {
      if (attempt < 2) return { kind: 'retry', delayS: retryDelayS(attempt), reason: 'the device cloud does not list the device (yet)' };
      this.#metrics.eventGhost();
      this.#log.warn('A change of a device the cloud does not list is not reported', {
        eventId: event.id,
        deviceId: event.deviceId,
        vendorUserId: event.vendorUserId,
      });
    }
    const retries = results.filter((result) => result.kind === 'retry');
    if (retries.length > 0) {
      this.#metrics.eventRetried();
      const onlyBusy = retries.every((result) => result.busy);
      const reasons = [...new Set(retries.map((r) => r.reason))].join('; ');
      const delayS = onlyBusy ? busyDelayS(attempt, this.#clock.now(), retries) : retryDelayS(attempt);
      return { kind: 'retry', delayS, reason: reasons };
    }
    return { kind: 'done' };
  }

  /** The device as the cloud has it now; undefined when it is not listed (and for `deleted`, which needs no read). */
  async #read(event: DeviceEvent): Reading {
    if (event.type === 'deleted') return { device: undefined, readAt: new Date().toISOString() };
    try {
      const device = await this.#devices.get(this.#sessionFor(event.vendorUserId), event.deviceId);
      return { device, readAt: new Date().toISOString() };
    } catch (error) {
      if (error instanceof DeviceNotFoundError) return { device: undefined, readAt: new Date().toISOString() };
      throw error;
    }
  }
}

/** The device cloud could not be read: a retry, as for any outage. */
function failedRead(error: unknown): GrantResult {
  if (!(error instanceof HomebaseError)) throw error;
  return { kind: 'retry', reason: `the device cloud could not be read: ${error.name}` };
}
