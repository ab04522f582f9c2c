/**
 * The order of device events (docs/device-cloud.md, POST /device-events): by the device cloud's `timeOfSample` or
 * `sequence` when it gives one, by receipt otherwise, then by the event's place in its body. Both are normalised to
 * strings that sort as the changes happened: `T` and the time in UTC to the millisecond (fixed width), or `S` and
 * the sequence zero-padded to 16 digits (every safe integer). Orders are compared per interface of an endpoint
 * (delivery's position records): a change to one interface never supersedes a change to another.
 */
import { SIGNATURE_TOLERANCE_S } from './signature.ts';

/** The interface `added` and `deleted` are ordered under: they are about the endpoint as a whole. */
export const ENDPOINT_ORDER = 'endpoint';

const place = (index: number) => String(index).padStart(5, '0');

export const timeOrder = (iso: string, index: number): string => `T${iso}#${place(index)}`;
export const sequenceOrder = (sequence: number, index: number): string => `S${String(sequence).padStart(16, '0')}#${place(index)}`;

/**
 * Whether a change at `order` is newer than the one recorded. An endpoint's device cloud keeps to one scheme; one
 * that switches (from time to sequence, say) starts over: the first change in the new scheme counts as newer.
 */
export const isNewer = (order: string, recorded: string | undefined): boolean =>
  recorded === undefined || recorded[0] !== order[0] || order > recorded;

/**
 * Whether a change at `order` is still to be sent for an interface: newer than the newest one sent or about to be,
 * or that very one again when its delivery died before it was recorded as delivered (a repeat, never a step back).
 */
export const isDue = (order: string, intended: string | undefined, delivered: string | undefined): boolean =>
  isNewer(order, intended) || (order === intended && order !== delivered);

/** A body the webhook refuses before storing any of it: the message names the event and what is wrong. */
export class EventOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventOrderError';
  }
}

type Scheme = 'timeOfSample' | 'sequence' | 'receipt';

/**
 * Each event's order and sampled time. Throws EventOrderError for an event with both fields, a `timeOfSample` more
 * than 5 minutes from the driver's clock (as `X-Timestamp` may be), or a device whose events in one body mix schemes.
 */
export function orderEvents(
  events: ReadonlyArray<{ userId: string; deviceId: string; timeOfSample?: string | undefined; sequence?: number | undefined }>,
  receivedMs: number,
): Array<{ order: string; sampledAt: string }> {
  const received = new Date(receivedMs).toISOString();
  const schemes = new Map<string, Scheme>();
  return events.map((event, index) => {
    if (event.timeOfSample !== undefined && event.sequence !== undefined) {
      throw new EventOrderError(`events.${index}: timeOfSample and sequence are both given; an event is ordered by one of them.`);
    }
    const scheme: Scheme = event.timeOfSample !== undefined ? 'timeOfSample' : event.sequence !== undefined ? 'sequence' : 'receipt';
    const device = JSON.stringify([event.userId, event.deviceId]);
    const before = schemes.get(device);
    if (before !== undefined && before !== scheme) {
      throw new EventOrderError(
        `events.${index} is ordered by ${scheme}, and an earlier event of device "${event.deviceId}" in this body by ${before}: one scheme per device.`,
      );
    }
    schemes.set(device, scheme);
    if (event.sequence !== undefined) return { order: sequenceOrder(event.sequence, index), sampledAt: received };
    if (event.timeOfSample === undefined) return { order: timeOrder(received, index), sampledAt: received };
    const sampledMs = Date.parse(event.timeOfSample);
    if (!Number.isFinite(sampledMs) || Math.abs(sampledMs - receivedMs) > SIGNATURE_TOLERANCE_S * 1000) {
      throw new EventOrderError(
        `events.${index}.timeOfSample is more than 5 minutes away from the driver's clock: give the time the change happened, by a synchronised clock.`,
      );
    }
    const sampledAt = new Date(sampledMs).toISOString();
    return { order: timeOrder(sampledAt, index), sampledAt };
  });
}
