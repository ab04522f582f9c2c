/**
 * A change at a device, as the device cloud reports it to `POST /device-events` (docs/device-cloud.md) and as it
 * travels through the queue to delivery. A change Rokid asked for (v1 /execute, v2 Control) is answered in its
 * Response and never becomes an event.
 */
import * as v from 'valibot';
import { StateSchema } from '../protocol/device.ts';

/** The only cause Rokid documents (ChangeCause); any other is passed on as the device cloud gave it. */
export const DEFAULT_CAUSE = 'PHYSICAL_INTERACTION';

/** At most this many events in one body: a body of them is written in one go, well inside the function's time. */
export const MAX_EVENTS = 1000;

const id = v.pipe(v.string(), v.nonEmpty(), v.maxLength(256, 'expected at most 256 characters'));

export const WebhookBodySchema = v.strictObject({
  events: v.pipe(
    v.array(
      v.strictObject({
        id,
        userId: id,
        deviceId: id,
        type: v.picklist(['changed', 'added', 'deleted']),
        state: v.optional(StateSchema),
        cause: v.optional(v.pipe(v.string(), v.nonEmpty(), v.maxLength(64, 'expected at most 64 characters'))),
      }),
    ),
    v.minLength(1, 'expected at least one event'),
    v.maxLength(MAX_EVENTS, `expected at most ${MAX_EVENTS} events`),
  ),
});
export type WebhookEvent = v.InferOutput<typeof WebhookBodySchema>['events'][number];

/** An event as queued: the webhook's, stamped with when the driver received it and its place among its body. */
export interface DeviceEvent {
  /** `sha256(userId, id)`: the id the 24-hour duplicate check and the delivery records know it by. */
  key: string;
  vendorUserId: string;
  deviceId: string;
  type: WebhookEvent['type'];
  state?: WebhookEvent['state'];
  cause: string;
  /** When the driver received it (ISO 8601, UTC, milliseconds): the timeOfSample of the states it reports. */
  sampledAt: string;
  /**
   * Sorts as the changes happened: `sampledAt`, then the event's place in its body. Of two events for one endpoint,
   * the one with the greater order is the newer; an older one is never delivered after it.
   */
  order: string;
}

export const orderOf = (sampledAt: string, index: number): string => `${sampledAt}#${String(index).padStart(5, '0')}`;

/** The queued shape, read back by the consumer: a message that is not one is dead-lettered, never retried. */
export const DeviceEventSchema = v.object({
  key: id,
  vendorUserId: id,
  deviceId: id,
  type: v.picklist(['changed', 'added', 'deleted']),
  state: v.optional(StateSchema),
  cause: v.pipe(v.string(), v.nonEmpty()),
  sampledAt: v.pipe(v.string(), v.isoTimestamp()),
  order: v.pipe(v.string(), v.nonEmpty()),
});
