/**
 * One event's delivery to one grant, in order: the endpoint's position is claimed (one delivery of an endpoint at a
 * time) while the grant opens and the device is read, so a first delivery waits on one round trip for the three.
 * What to send is planned against the position (report-plan.ts), and the position moves on only once Rokid has it.
 * A claim that turns out not to be needed (the grant ended meanwhile, the device is gone) is given back.
 */
import { hashedKey } from '../hashed-key.ts';
import type { Clock } from '../ports.ts';
import type { Device } from '../protocol/device.ts';
import type { DeviceEvent } from './device-event.ts';
import type { GatewayPolicy, GrantResult } from './gateway-policy.ts';
import { isLive } from './grant.ts';
import type { EventMetrics } from './metrics.ts';
import type { DeliveryPositions, GrantStore } from './ports.ts';
import { overtaken, planReport } from './report-plan.ts';

/** How long one delivery may hold an endpoint: the gateway's timeout, a token refresh and a resend. */
export const POSITION_LEASE_S = 30;

/** The position item of one endpoint of one grant. */
export const positionKey = (grantKey: string, deviceId: string): string => hashedKey(grantKey, deviceId);

/** The device as read, and when; `device` undefined when the cloud does not list it (or the event is `deleted`). */
export type Reading = Promise<{ device: Device | undefined; readAt: string }>;

export class GrantDelivery {
  readonly #grants: GrantStore;
  readonly #positions: DeliveryPositions;
  readonly #policy: GatewayPolicy;
  readonly #clock: Clock;
  readonly #metrics: EventMetrics;

  constructor(deps: { grants: GrantStore; positions: DeliveryPositions; policy: GatewayPolicy; clock: Clock; metrics: EventMetrics }) {
    this.#grants = deps.grants;
    this.#positions = deps.positions;
    this.#policy = deps.policy;
    this.#clock = deps.clock;
    this.#metrics = deps.metrics;
  }

  async deliver(event: DeviceEvent, reading: Reading, grantKey: string): Promise<GrantResult> {
    const position = positionKey(grantKey, event.deviceId);
    const now = this.#clock.now();
    const [grant, claim] = await Promise.all([this.#grants.get(grantKey), this.#positions.claim(position, now, now + POSITION_LEASE_S)]);
    if (claim.kind === 'busy') {
      // Under a stream of changes an endpoint is seldom free, and every wait spends one of the event's receives
      // (MAX_DELIVERIES): one that a newer change already overtakes is dropped now, as its turn would drop it.
      if (claim.position && overtaken(event, claim.position)) {
        this.#metrics.eventSuperseded();
        return { kind: 'superseded' };
      }
      const reason = 'another change of this endpoint is being delivered';
      return { kind: 'retry', reason, busy: true, ...(claim.until === undefined ? {} : { busyUntil: claim.until }) };
    }
    const giveBack = () => this.#positions.release(position, claim.claimId).catch(() => undefined);
    if (!grant || !isLive(grant) || grant.vendorUserId !== event.vendorUserId) {
      await giveBack();
      return { kind: 'ended' };
    }
    let read: Awaited<Reading>;
    try {
      read = await reading;
    } catch (error) {
      await giveBack();
      throw error;
    }
    // A change of a device the cloud does not list is no one's to report (delivery.ts decides what follows).
    if (event.type === 'changed' && !read.device) {
      await giveBack();
      return { kind: 'ghost' };
    }
    const plan = planReport(event, read.device, claim.position, read.readAt);
    if (plan.kind === 'superseded') {
      await giveBack();
      this.#metrics.eventSuperseded();
      return { kind: 'superseded' };
    }
    if (plan.kind === 'nothing') {
      await this.#positions.delivered(position, claim.claimId, plan.record);
      this.#metrics.eventUnchanged();
      return { kind: 'unchanged' };
    }
    let result: GrantResult;
    try {
      // Recorded before sending: a delivery that dies after the gateway took the report still holds older ones back.
      if (!(await this.#positions.intend(position, claim.claimId, plan.record.orders))) {
        return { kind: 'retry', reason: 'the endpoint was taken over by another delivery', busy: true };
      }
      result = await this.#policy.send(event, plan.report, grant);
    } catch (error) {
      await giveBack();
      throw error;
    }
    if (result.kind === 'delivered') await this.#positions.delivered(position, claim.claimId, plan.record);
    else await giveBack();
    return result;
  }
}
