/** POST /list → the user's devices. */
import { driver } from './container.ts';
import { ListRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { homebaseHandler } from './http/homebase-handler.ts';
import { invocationOf } from './http/invocation.ts';

export const handler = homebaseHandler(async (body, _event, context) => {
  const request = parseOrThrow(ListRequestSchema, body, '/list request');
  const { sessions, devices } = driver();
  const session = await sessions.open(request.userAuth, invocationOf(context));
  return devices.list(session);
});
