/**
 * The events sent to Rokid's EventGateway (notify.md; the digest's 7.3 and 7.4, contradictions 6 and 8):
 * `Rokid` / `ChangeReport`, and `Rokid.Discovery` / `AddOrUpdateReport` and `DeleteReport`. Each carries the
 * grant's token in `header.authorization`; the gateway adapter sends it as an `Authorization: Bearer` header too.
 */
import { crypto } from '../../runtime/builtins.ts';
import type { Device } from '../protocol/device.ts';
import { additionalInfoOf, endpointOf } from '../v2/endpoints.ts';
import { statesOf } from '../v2/states.ts';
import type { DeviceEvent } from './device-event.ts';

const { createHash } = crypto;

/** A report before a grant's token is put in its header. */
export interface Report {
  namespace: string;
  name: 'ChangeReport' | 'AddOrUpdateReport' | 'DeleteReport';
  endpoint?: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * The same messageId for the same event to the same Rokid user, however often it is sent: the resend after a
 * refreshed token (event-gateway.md's 401) and a redelivery from the queue are recognisably the same message.
 */
export function eventMessageId(eventKey: string, rokidUserId: string): string {
  const hex = createHash('sha256').update(`${eventKey}\u0000${rokidUserId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const deleteReport = (event: DeviceEvent): Report => ({
  namespace: 'Rokid.Discovery',
  name: 'DeleteReport',
  payload: { endpoints: [{ endpointId: event.deviceId }] },
});

/** The endpoint as Discover gives it, proactively reported; undefined when v2 cannot express the device. */
export function addOrUpdateReport(device: Device, sampledAt: string): Report | undefined {
  const made = endpointOf(device, { sampledAt, proactive: true });
  if (!('endpoint' in made)) return undefined;
  return { namespace: 'Rokid.Discovery', name: 'AddOrUpdateReport', payload: { endpoints: [made.endpoint] } };
}

/**
 * Every current state on the endpoint, and what changed in `payload.change.states`; undefined when nothing that
 * changed is a state v2 holds (a media control, say), since Rokid would have nothing to update.
 */
export function changeReport(event: DeviceEvent, device: Device | undefined, readAt: string): Report | undefined {
  const changed = statesOf(event.state ?? device?.state ?? {}, event.sampledAt);
  if (changed.length === 0) return undefined;
  const additionalInfo = device && additionalInfoOf(device.deviceInfo ?? undefined);
  return {
    namespace: 'Rokid',
    name: 'ChangeReport',
    endpoint: {
      endpointId: event.deviceId,
      additionalInfo: additionalInfo ?? {},
      // The device as read now is the current state; the event's may already be older.
      states: device ? statesOf(device.state, readAt) : changed,
    },
    payload: { change: { cause: { type: event.cause }, states: changed } },
  };
}

/** The report as sent to one Rokid user. */
export const withToken = (report: Report, messageId: string, token: string): Record<string, unknown> => ({
  header: {
    namespace: report.namespace,
    name: report.name,
    messageId,
    payloadVersion: 'v1',
    authorization: { type: 'BearerToken', token },
  },
  ...(report.endpoint ? { endpoint: report.endpoint } : {}),
  payload: report.payload,
});
