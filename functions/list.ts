/** POST /list → the user's devices. */
import { deviceServices } from './composition/devices.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { ListRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { bearerToken, withBearerToken } from './http/bearer.ts';
import { homebaseHandler } from './http/homebase-handler.ts';
import { invocationOf } from './http/invocation.ts';

export function listHandler(config: ConfigSource) {
  const services = deviceServices(config);
  return homebaseHandler(async (body, event, context) => {
    const request = parseOrThrow(ListRequestSchema, withBearerToken(body, [['userAuth']], bearerToken(event)), '/list request');
    const { sessions, devices } = services();
    const session = await sessions.open(request.userAuth, invocationOf(context));
    return devices.list(session);
  });
}

export const handler = listHandler(fromEnvironment);
