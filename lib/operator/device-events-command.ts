/**
 * `npm run device-events -- …`: one signed event sent to a driver's POST /device-events, with the client the local
 * device cloud uses (lib/local/device-events-client.ts), so a vendor can try the webhook before writing a signer.
 * The secret comes from DEVICE_EVENTS_SECRET alone: an argument would show in the shell's history and in `ps`.
 */
import { parseArgs } from 'node:util';
import { isRecord } from '../../functions/domain/json.ts';
import type { ReportedEvent } from '../local/device-events-client.ts';
import { UsageError } from '../usage-error.ts';

export const USAGE = `usage: npm run device-events -- --driver BASE_URL --user U --device D (--state JSON | --added | --deleted)
                                [--id ID] [--cause CAUSE]

Sends one device event to BASE_URL/device-events, signed with the key in DEVICE_EVENTS_SECRET (in the
environment, never an argument), as a device cloud reports a change (docs/device-cloud.md):
  --state JSON   a "changed" event with the properties that changed, e.g. '{"switch": "on"}'
  --added        a device added (or its name, room or actions changed)
  --deleted      a device removed
  --user U       the vendor user id, as UserCenter or the OAuth server named the user
  --device D     the deviceId, as GET /devices names it
  --id ID        the event's id (default: a random UUID); an id sent again is accepted and dropped
  --cause CAUSE  default PHYSICAL_INTERACTION
Prints the driver's answer. Exit code: 0 accepted (202), 1 refused, 2 usage or driver unreachable.`;

export interface DeviceEventsCommand {
  driverUrl: string;
  secret: string;
  event: ReportedEvent;
}

export function parseDeviceEventsArgs(argv: string[], env: NodeJS.ProcessEnv): DeviceEventsCommand | 'help' {
  if (argv.some((arg) => arg === '--secret' || arg.startsWith('--secret='))) {
    throw new UsageError('The secret is read from DEVICE_EVENTS_SECRET in the environment, never from an argument.');
  }
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const driverUrl = values.driver;
  if (driverUrl === undefined) throw new UsageError("--driver is missing: the driver's base URL (npm start prints it).");
  if (!URL.canParse(driverUrl) || !/^https?:$/.test(new URL(driverUrl).protocol))
    throw new UsageError(`"${driverUrl}" is not an http(s) URL.`);
  if (values.user === undefined || values.device === undefined) throw new UsageError('--user and --device name the user and the device.');
  const kinds = [values.state !== undefined, values.added === true, values.deleted === true].filter(Boolean).length;
  if (kinds !== 1) throw new UsageError('Give one of --state JSON, --added or --deleted.');
  let state: Record<string, unknown> | undefined;
  if (values.state !== undefined) {
    try {
      state = JSON.parse(values.state);
    } catch {
      throw new UsageError(`--state is not JSON: ${values.state}`);
    }
    if (!isRecord(state)) throw new UsageError('--state is a JSON object of the properties that changed, e.g. \'{"switch": "on"}\'.');
  }
  const secret = env['DEVICE_EVENTS_SECRET'];
  if (!secret) throw new UsageError('DEVICE_EVENTS_SECRET is not set: export the key the driver checks signatures with.');
  const type = state ? 'changed' : values.added ? 'added' : 'deleted';
  return {
    driverUrl: driverUrl.replace(/\/+$/, ''),
    secret,
    event: {
      userId: values.user,
      deviceId: values.device,
      type,
      ...(state ? { state } : {}),
      ...(values.id === undefined ? {} : { id: values.id }),
      ...(values.cause === undefined ? {} : { cause: values.cause }),
    },
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      driver: { type: 'string' },
      user: { type: 'string' },
      device: { type: 'string' },
      state: { type: 'string' },
      added: { type: 'boolean' },
      deleted: { type: 'boolean' },
      id: { type: 'string' },
      cause: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
