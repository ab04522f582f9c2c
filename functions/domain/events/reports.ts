/**
 * The events sent to Rokid's EventGateway (notify.md; the digest's 7.3 and 7.4, contradictions 6 and 8):
 * `Rokid` / `ChangeReport`, and `Rokid.Discovery` / `AddOrUpdateReport` and `DeleteReport`. Each carries the
 * grant's token in `header.authorization`; the gateway adapter sends it as an `Authorization: Bearer` header too.
 */
import { hashedKey } from '../hashed-key.ts';
import type { Device } from '../protocol/device.ts';
import { endpointOf } from '../v2/endpoints.ts';
import type { DeviceEvent } from './device-event.ts';

/** A report before a grant's token is put in its header. */
export interface Report {
  namespace: string;
  name: 'ChangeReport' | 'AddOrUpdateReport' | 'DeleteReport';
  endpoint?: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * The same messageId for the same event to the same grant, however often it is sent: the resend after a
 * refreshed token (event-gateway.md's 401) and a redelivery from the queue are recognisably the same message.
 */
export function eventMessageId(eventKey: string, grantKey: string): string {
  const hex = Buffer.from(hashedKey(eventKey, grantKey), 'base64url').toString('hex');
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

/** The report as sent to one grant. */
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
