/**
 * A change at a device, as the device cloud reports it to `POST /device-events` (docs/device-cloud.md) and as it
 * travels through the queue to delivery. A change Rokid asked for (v1 /execute, v2 Control) is answered in its
 * Response and never becomes an event.
 */
import * as v from 'valibot';
import { StateSchema } from '../protocol/device.ts';

/** The only cause Rokid documents (ChangeCause); any other is passed on as the device cloud gave it. */
export const DEFAULT_CAUSE = 'PHYSICAL_INTERACTION';

/** The largest `sequence`: JSON's safe integers, so every device cloud's language reads it exactly. */
const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

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
        // When the change happened, by the device cloud's clock: one of the two, or neither (ordered by receipt).
        timeOfSample: v.optional(
          v.pipe(v.string(), v.isoTimestamp('expected an ISO 8601 time with a zone, e.g. 2026-12-06T16:00:00.000Z')),
        ),
        sequence: v.optional(
          v.pipe(
            v.number(),
            v.safeInteger('expected an integer'),
            v.minValue(0, 'expected at least 0'),
            v.maxValue(MAX_SEQUENCE, `expected at most ${MAX_SEQUENCE}`),
          ),
        ),
      }),
    ),
    v.minLength(1, 'expected at least one event'),
    v.maxLength(MAX_EVENTS, `expected at most ${MAX_EVENTS} events`),
  ),
});
export type WebhookEvent = v.InferOutput<typeof WebhookBodySchema>['events'][number];

/** An event as queued: the webhook's, stamped with when the driver received it and its place among its body. */
export interface DeviceEvent {
  /** `hashedKey(userId, id)`: the id the 24-hour duplicate check and the delivery records know it by. */
  key: string;
  /** The device cloud's own id, for logs (absent on events queued before it was carried). */
  id?: string;
  vendorUserId: string;
  deviceId: string;
  type: WebhookEvent['type'];
  state?: WebhookEvent['state'];
  cause: string;
  /** The device cloud's `timeOfSample`, or when the driver received it (ISO 8601, UTC, ms): the states' timeOfSample. */
  sampledAt: string;
  /**
   * Sorts as the changes happened (ordering.ts): `T` and the time (the device's, or the receipt's), or `S` and the
   * device's sequence, then the event's place in its body. Of two events for one interface of an endpoint, the one
   * with the greater order is the newer; an older one is never delivered after it.
   */
  order: string;
}

/** The queued shape, read back by the consumer: a message that is not one is dead-lettered, never retried. */
export const DeviceEventSchema = v.object({
  key: id,
  vendorUserId: id,
  deviceId: id,
  type: v.picklist(['changed', 'added', 'deleted']),
  state: v.optional(StateSchema),
  cause: v.pipe(v.string(), v.nonEmpty()),
  id: v.optional(id),
  sampledAt: v.pipe(v.string(), v.isoTimestamp()),
  order: v.pipe(v.string(), v.nonEmpty()),
});
