/** POST /v2 → every v2 message (Rokid.Discovery, Rokid.Control, Rokid.Query) at the console's one URL. */
import { directiveServices } from './composition/directives.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { v2MessageHandler } from './http/directive-handler.ts';

export function directiveHandler(config: ConfigSource) {
  const services = directiveServices(config);
  return v2MessageHandler(config, (request, context) => services().answer(request, context));
}

export const handler = directiveHandler(fromEnvironment);
