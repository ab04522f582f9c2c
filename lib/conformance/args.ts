/** `npm run conformance -- <base-url> [options]`: the command line, checked before anything is sent. */
import { parseArgs } from 'node:util';
import type { RunOptions } from './context.ts';
import { isLoopback } from './driver-client.ts';

export const USAGE = `usage: npm run conformance -- <base-url> [--username U --password P | --user-id ID --user-token T]
                              [--callback-url URL] [--read-only | --execute] [--exec-delay MS] [--json]

Checks any Homebase v1 HTTP remote driver at <base-url> (its endpoints are <base-url>/list, /execute
and /command; the URL may carry a path). Away from loopback it is read-only unless --execute is given;
executed actions are undone afterwards, with --exec-delay milliseconds (default 300 there, 0 on
loopback) between them. Exit code: 0 nothing failed, 1 something failed, 2 usage or unreachable URL.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseConformanceArgs(argv: string[]): { options: RunOptions; json: boolean } | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? "The driver's base URL is missing." : `Unexpected "${positionals.slice(1).join(' ')}".`,
    );
  const baseUrl = positionals[0] ?? '';
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) throw new UsageError(`"${baseUrl}" is not an http(s) URL.`);
  if ((values.username === undefined) !== (values.password === undefined)) throw new UsageError('--username and --password go together.');
  if (values['user-token'] === undefined && values['user-id'] !== undefined) throw new UsageError('--user-id needs --user-token.');
  if (values.username !== undefined && values['user-token'] !== undefined)
    throw new UsageError('Give a username and password, or a userId and userToken: not both.');
  if (values['read-only'] && values.execute) throw new UsageError('--read-only and --execute contradict each other.');
  const loopback = isLoopback(baseUrl);
  const delay = values['exec-delay'] === undefined ? (loopback ? 0 : 300) : Number(values['exec-delay']);
  if (!Number.isInteger(delay) || delay < 0) throw new UsageError('--exec-delay is a whole number of milliseconds.');
  return {
    json: values.json ?? false,
    options: {
      baseUrl,
      username: values.username,
      password: values.password,
      userId: values['user-id'],
      userToken: values['user-token'],
      callbackUrl: values['callback-url'] ?? 'https://homebase.rokid.com/oauth/callback',
      execute: values['read-only'] ? false : (values.execute ?? loopback),
      execDelayMs: delay,
    },
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      'user-id': { type: 'string' },
      'user-token': { type: 'string' },
      'callback-url': { type: 'string' },
      'read-only': { type: 'boolean' },
      execute: { type: 'boolean' },
      'exec-delay': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
