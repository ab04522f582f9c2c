/**
 * The device cloud's side of POST /device-events (docs/device-cloud.md): a body of events, signed with the shared
 * secret over "<timestamp>.<body>". The local device cloud, the playground's physical controls, the tests and the
 * benchmark all report changes through it, as a vendor's cloud would.
 */
import { randomUUID } from 'node:crypto';
import { requestText } from '../../functions/adapters/http/request.ts';
import { signEvents } from '../../functions/domain/events/signature.ts';

export interface ReportedEvent {
  id?: string;
  userId: string;
  deviceId: string;
  type: 'changed' | 'added' | 'deleted';
  state?: Record<string, unknown>;
  cause?: string;
}

export async function postDeviceEvents(
  driverUrl: string,
  secret: string,
  events: ReportedEvent[],
  options: { timestamp?: number; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ events: events.map((event) => ({ id: event.id ?? randomUUID(), ...event })) });
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return requestText(`${driverUrl}/device-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-timestamp': String(timestamp), 'x-signature': signEvents(secret, timestamp, body) },
    body,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
}
