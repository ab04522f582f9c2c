/** `npm run conformance -- <base-url> [options]`: the command line, checked before anything is sent. */
import { parseArgs } from 'node:util';
import { headerLine } from '../../functions/config.ts';
import { UsageError } from '../usage-error.ts';
import type { RunOptions } from './context.ts';
import { deviceCloudOptions } from './device-cloud/args.ts';
import { isLoopback } from './driver-client.ts';

export const USAGE = `usage: npm run conformance -- <base-url> [--username U --password P | --user-id ID --user-token T]
                              [--callback-url URL] [--read-only | --execute] [--exec-delay MS] [--json]
       npm run conformance -- <base-url> --protocol v2 (--bearer TOKEN | --jwt-app-id ID --jwt-app-secret S --jwt-user-id U)
                              [--header 'Name: value'] [--read-only | --execute] [--exec-delay MS] [--json]
       npm run conformance -- <cloud-url> --protocol device-cloud (--upstream-token T | --service-token T --user-id ID)
                              [--timeout-ms MS] [--read-only | --execute] [--json]

Checks any Homebase v1 HTTP remote driver at <base-url> (its endpoints are <base-url>/list, /execute
and /command; the URL may carry a path), or with --protocol v2 a v2 driver, whose one URL is <base-url>/v2:
with a driver access token as the BearerToken, or a JWT signed here as Rokid signs it; --header adds the
console's custom header (自定义 Header) to every message. With --protocol device-cloud it checks a vendor's
device cloud (DEVICE_CLOUD=http; docs/device-cloud.md) as the driver calls it, with a user's upstream token or
the service token for a user; each answer is due within --timeout-ms (default DEVICE_CLOUD_TIMEOUT_MS, or 2500).
Secrets can come from the environment instead, so npm never echoes them: CONFORMANCE_BEARER for --bearer,
CONFORMANCE_JWT_APP_SECRET for --jwt-app-secret, CONFORMANCE_UPSTREAM_TOKEN and CONFORMANCE_SERVICE_TOKEN (an
option given wins). Away from loopback it is read-only unless
--execute is given; executed actions are undone afterwards, with --exec-delay milliseconds (default 300
there, 0 on loopback) between them. Exit code: 0 nothing failed, 1 something failed, 2 usage or
unreachable URL.`;

export { UsageError };

/** A secret option, or else the environment variable that carries it: given that way, npm's banner never echoes it. */
export function optionOrEnv(value: string | undefined, name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return value ?? (env[name] === '' ? undefined : env[name]);
}

export function parseConformanceArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): { options: RunOptions; json: boolean } | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals } = parsed;
  const values = { ...parsed.values };
  if (values.help) return 'help';
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? "The driver's base URL is missing." : `Unexpected "${positionals.slice(1).join(' ')}".`,
    );
  const baseUrl = positionals[0] ?? '';
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) throw new UsageError(`"${baseUrl}" is not an http(s) URL.`);
  const protocol = values.protocol ?? 'v1';
  if (protocol !== 'v1' && protocol !== 'v2' && protocol !== 'device-cloud')
    throw new UsageError(`--protocol is v1, v2 or device-cloud, not "${protocol}".`);
  if (values['read-only'] && values.execute) throw new UsageError('--read-only and --execute contradict each other.');
  const loopback = isLoopback(baseUrl);
  const execute = values['read-only'] ? false : (values.execute ?? loopback);
  const cloudOnly = [values['upstream-token'], values['service-token'], values['timeout-ms']];
  if (protocol === 'device-cloud') {
    const others = [
      'username',
      'password',
      'user-token',
      'callback-url',
      'exec-delay',
      'bearer',
      'jwt-app-id',
      'jwt-app-secret',
      'jwt-user-id',
      'header',
    ];
    const stray = others.find((name) => values[name as keyof typeof values] !== undefined);
    if (stray) throw new UsageError(`--${stray} is not for --protocol device-cloud.`);
    const deviceCloud = deviceCloudOptions(
      {
        upstreamToken: optionOrEnv(values['upstream-token'], 'CONFORMANCE_UPSTREAM_TOKEN', env),
        serviceToken: optionOrEnv(values['service-token'], 'CONFORMANCE_SERVICE_TOKEN', env),
        userId: values['user-id'],
        timeoutMs: values['timeout-ms'],
      },
      env,
    );
    const options = { baseUrl, protocol, callbackUrl: '', execute, execDelayMs: 0, deviceCloud } as const;
    return { json: values.json ?? false, options };
  }
  if (cloudOnly.some((value) => value !== undefined))
    throw new UsageError('--upstream-token, --service-token and --timeout-ms are for --protocol device-cloud.');
  // v2's secrets from the environment, each where its option would be: the JWT's secret with the other --jwt-*
  // options, the bearer token when no --jwt-* option is given. A variable left set in the shell changes nothing else.
  if (protocol === 'v2') {
    if (values['jwt-app-id'] !== undefined || values['jwt-user-id'] !== undefined) {
      values['jwt-app-secret'] = optionOrEnv(values['jwt-app-secret'], 'CONFORMANCE_JWT_APP_SECRET', env);
    } else if (values['jwt-app-secret'] === undefined) {
      values.bearer = optionOrEnv(values.bearer, 'CONFORMANCE_BEARER', env);
    }
  }
  const jwtValues = [values['jwt-app-id'], values['jwt-app-secret'], values['jwt-user-id']];
  const jwtGiven = jwtValues.some((value) => value !== undefined);
  if (protocol === 'v1' && (values.bearer !== undefined || jwtGiven || values.header !== undefined)) {
    throw new UsageError('--bearer, --jwt-* and --header are for --protocol v2.');
  }
  if (protocol === 'v2') {
    if (values.username !== undefined || values['user-token'] !== undefined)
      throw new UsageError('v2 takes --bearer or --jwt-*, not v1 credentials.');
    if (jwtGiven && jwtValues.some((value) => value === undefined))
      throw new UsageError('--jwt-app-id, --jwt-app-secret and --jwt-user-id go together.');
    if (jwtGiven && values.bearer !== undefined) throw new UsageError('Give --bearer or the --jwt-* options: not both.');
  }
  const headers: Record<string, string> = {};
  for (const line of values.header ?? []) {
    const header = headerLine(line);
    if (!header) throw new UsageError(`--header "${line}" is not "Name: value".`);
    headers[header.name] = header.value;
  }
  if ((values.username === undefined) !== (values.password === undefined)) throw new UsageError('--username and --password go together.');
  if (values['user-token'] === undefined && values['user-id'] !== undefined) throw new UsageError('--user-id needs --user-token.');
  if (values.username !== undefined && values['user-token'] !== undefined)
    throw new UsageError('Give a username and password, or a userId and userToken: not both.');
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
      execute,
      execDelayMs: delay,
      protocol,
      ...(values.bearer === undefined ? {} : { bearer: values.bearer }),
      ...(jwtGiven
        ? { jwt: { appId: values['jwt-app-id'] ?? '', appSecret: values['jwt-app-secret'] ?? '', userId: values['jwt-user-id'] ?? '' } }
        : {}),
      headers,
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
      protocol: { type: 'string' },
      bearer: { type: 'string' },
      'jwt-app-id': { type: 'string' },
      'jwt-app-secret': { type: 'string' },
      'jwt-user-id': { type: 'string' },
      header: { type: 'string', multiple: true },
      'upstream-token': { type: 'string' },
      'service-token': { type: 'string' },
      'timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
