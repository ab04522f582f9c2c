/** POST /list → the user's devices. */
import { driver } from './container.ts';
import { ListRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { homebaseHandler } from './http/homebase-handler.ts';

export const handler = homebaseHandler(async (body) => {
  const request = parseOrThrow(ListRequestSchema, body, '/list request');
  const { vault, devices } = driver();
  const { session } = await vault.authenticate(request.userAuth);
  return devices.list(session);
});
