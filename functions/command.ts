/** POST /command → account linking commands (`login`; OAuth joins here). */
import { driver } from './container.ts';
import { CommandRequestSchema } from './domain/protocol/requests.ts';
import { parseOrThrow } from './domain/protocol/validation.ts';
import { homebaseHandler } from './http/homebase-handler.ts';

export const handler = homebaseHandler(async (body) => {
  const request = parseOrThrow(CommandRequestSchema, body, '/command request');
  return driver().command(request.command, request.params);
});
