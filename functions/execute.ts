/** POST /execute → the device's new state; POST /get → the device (legacy, still called by rhome). */
import { driver } from './container.ts';
import { ExecuteRequestSchema, GetRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { homebaseHandler } from './http/homebase-handler.ts';
import { invocationOf } from './http/invocation.ts';

export const handler = homebaseHandler(async (body, event, context) => {
  const { sessions, devices } = driver();
  if (event.routeKey === 'POST /get') {
    const request = parseOrThrow(GetRequestSchema, body, '/get request');
    const session = await sessions.open(request.userAuth, invocationOf(context));
    return devices.get(session, request.deviceId);
  }
  const { device, action } = parseOrThrow(ExecuteRequestSchema, body, '/execute request');
  const session = await sessions.open(device.userAuth, invocationOf(context));
  return devices.execute(session, device.deviceId, action);
});
