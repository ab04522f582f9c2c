/**
 * `npm run device-events`: one signed event to a real local driver's POST /device-events (npm start's runtime, the
 * webhook, the SQS stand-in), with the secret from the environment; the driver's answer printed and turned into
 * the exit code; and every usage error exit 2, with the reason.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { USAGE } from '../../lib/operator/device-events-command.ts';

let driver: LocalDriver;
let secret: string;
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, playground: 'off', settings: { REFRESH_INTERVAL_S: '3600' } });
  secret = driver.events!.deviceEventsSecret;
}, 30_000);
afterAll(() => driver.close());

async function cli(args: string[], env: Record<string, string | undefined> = { DEVICE_EVENTS_SECRET: secret }) {
  const result = await promisify(execFile)(process.execPath, ['bin/device-events.ts', ...args], {
    env: { ...process.env, DEVICE_EVENTS_SECRET: undefined, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { code: result.code, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}
const target = () => ['--driver', driver.url, '--user', 'vendor-user-1', '--device', 'lamp-1'];

describe('sends a signed event', () => {
  it('a change is queued (202), and the same --id again is accepted and dropped', async () => {
    const first = await cli([...target(), '--state', '{"switch": "on"}', '--id', 'cli-evt-1']);
    expect(first).toMatchObject({ code: 0, stdout: `${driver.url}/device-events answered 202 {"queued":1,"duplicates":0}` });
    const again = await cli([...target(), '--state', '{"switch": "on"}', '--id', 'cli-evt-1']);
    expect(again).toMatchObject({ code: 0, stdout: `${driver.url}/device-events answered 202 {"queued":0,"duplicates":1}` });
  });

  it('added and deleted events, each with an id of their own', async () => {
    for (const kind of ['--added', '--deleted']) {
      expect(await cli([...target(), kind])).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('answered 202 {"queued":1,"duplicates":0}'),
      });
    }
  });

  it('a refusal is printed as the driver gave it, exit 1: a wrong secret, a state the model refuses', async () => {
    const wrong = await cli([...target(), '--added'], { DEVICE_EVENTS_SECRET: 'not-the-secret' });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(new RegExp(`^${driver.url}/device-events answered 401 \\{"error":"invalid_signature"`));
    const bad = await cli([...target(), '--state', '{"brightness": 300}']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('answered 400 {"error":"invalid_body"');
    expect(bad.stdout).toContain('events.0.state.brightness: expected a number from 0 to 100');
  });
});

describe('usage', () => {
  it('--help describes the command, exit 0', async () => {
    expect(await cli(['--help'])).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  });

  it.each<[string[], Record<string, string | undefined> | undefined, string]>([
    [['--secret', 'x'], undefined, 'The secret is read from DEVICE_EVENTS_SECRET in the environment, never from an argument.'],
    [['--user', 'u', '--device', 'd', '--added'], undefined, "--driver is missing: the driver's base URL (npm start prints it)."],
    [['--driver', 'ftp://x', '--user', 'u', '--device', 'd', '--added'], undefined, '"ftp://x" is not an http(s) URL.'],
    [['--driver', 'http://127.0.0.1:1', '--device', 'd', '--added'], undefined, '--user and --device name the user and the device.'],
    [['--driver', 'http://127.0.0.1:1', '--user', 'u', '--device', 'd'], undefined, 'Give one of --state JSON, --added or --deleted.'],
    [
      ['--driver', 'http://127.0.0.1:1', '--user', 'u', '--device', 'd', '--added', '--deleted'],
      undefined,
      'Give one of --state JSON, --added or --deleted.',
    ],
    [['--driver', 'http://127.0.0.1:1', '--user', 'u', '--device', 'd', '--state', '{on'], undefined, '--state is not JSON: {on'],
    [
      ['--driver', 'http://127.0.0.1:1', '--user', 'u', '--device', 'd', '--state', '[1]'],
      undefined,
      '--state is a JSON object of the properties that changed, e.g. \'{"switch": "on"}\'.',
    ],
    [
      ['--driver', 'http://127.0.0.1:1', '--user', 'u', '--device', 'd', '--added'],
      {},
      'DEVICE_EVENTS_SECRET is not set: export the key the driver checks signatures with.',
    ],
    [['--bogus'], undefined, "Unknown option '--bogus'"],
  ])('%j: exit 2 with the reason', async (args, env, message) => {
    const result = await cli(args, env ?? { DEVICE_EVENTS_SECRET: 's' });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${message}\n\n${USAGE}` });
  });
});
