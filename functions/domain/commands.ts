import { DriverError } from './errors.ts';

/** What a command knows of its request besides its params. */
export interface CommandContext {
  /** The caller's address as API Gateway saw it: what attempt limits count by. */
  sourceIp: string;
}

/** One /command. `params` is untrusted: each command validates its own. */
export type CommandHandler = (params: Record<string, unknown>, context: CommandContext) => Promise<unknown>;

/**
 * Dispatches /command by name. Names are matched exactly; aliases (`Login` for `login`) are listed
 * as commands of their own so the supported list in an error shows them.
 */
export function commandRouter(commands: Record<string, CommandHandler>) {
  const supported = Object.keys(commands).join(', ') || 'no commands';
  return async (name: string, params: Record<string, unknown>, context: CommandContext): Promise<unknown> => {
    const handler = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!handler) {
      throw new DriverError(`Unknown command "${name.slice(0, 64)}". This driver supports: ${supported}.`);
    }
    return handler(params, context);
  };
}
