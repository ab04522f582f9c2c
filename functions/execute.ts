/** POST /execute → the device's new state; POST /get → the device (legacy, still called by rhome). */
import { deviceServices } from './composition/devices.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { ExecuteRequestSchema, GetRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { bearerToken, withBearerToken } from './http/bearer.ts';
import { homebaseHandler } from './http/homebase-handler.ts';
import { invocationOf } from './http/invocation.ts';

export function executeHandler(config: ConfigSource) {
  const services = deviceServices(config);
  return homebaseHandler(async (body, event, context) => {
    const { sessions, devices } = services();
    const bearer = bearerToken(event);
    if (event.routeKey === 'POST /get') {
      const request = parseOrThrow(GetRequestSchema, withBearerToken(body, [['userAuth'], ['device', 'userAuth']], bearer), '/get request');
      const session = await sessions.open(request.userAuth, invocationOf(context));
      return devices.get(session, request.deviceId);
    }
    const { device, action } = parseOrThrow(
      ExecuteRequestSchema,
      withBearerToken(body, [['device', 'userAuth']], bearer),
      '/execute request',
    );
    const session = await sessions.open(device.userAuth, invocationOf(context));
    return devices.execute(session, device.deviceId, action);
  });
}

export const handler = executeHandler(fromEnvironment);
