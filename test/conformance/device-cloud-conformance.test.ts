/**
 * `conformance --protocol device-cloud` against a device cloud written in the test that follows the contract
 * (nothing found), and against it with one planted defect at a time (each reported by the check's id, with the
 * exact reason); the command line's refusals; and the CLI's exit code 2 for a cloud that cannot be reached.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConformanceArgs, UsageError } from '../../lib/conformance/args.ts';
import { runDeviceCloudConformance } from '../../lib/conformance/device-cloud/run.ts';
import { serviceToken, startDeviceCloud } from '../../lib/local/device-cloud-server.ts';
import { closedPortUrl, type SeenRequest, startScriptedServer } from '../support/scripted-server.ts';

type Defect =
  | 'open'
  | 'service-token-alone'
  | 'wrong-num'
  | 'up-goes-down'
  | 'max-short'
  | 'not-kept'
  | 'no-404'
  | 'bad-error-body'
  | 'bad-state'
  | 'not-put-back'
  | 'slow'
  | 'hangs-on-unknown';

const SERVICE = 'svc-1';

/** A device cloud with one light, following the contract but for the defect asked for. */
async function referenceCloud(defect?: Defect) {
  let state: Record<string, unknown> = { switch: 'off', brightness: 40 };
  const lamp = () => ({
    deviceId: 'lamp-1',
    name: 'Lamp',
    type: 'light',
    actions: { switch: ['on', 'off'], brightness: ['up', 'down', 'max', 'min', 'num'] },
    state,
  });
  let numbers = 0;
  const refuse = (status: number, errorName: string, message: string) =>
    defect === 'bad-error-body' ? { status, text: 'nope', contentType: 'text/plain' } : { status, json: { errorName, message } };
  const script = ({ method, path, headers, body }: SeenRequest) => {
    const delayMs = defect === 'slow' ? 150 : 0;
    const service = headers.authorization === `Bearer ${SERVICE}`;
    const user = service ? headers['x-homebase-user-id'] : undefined;
    if (!(service && (user || defect === 'service-token-alone')) && !(defect === 'open' && !headers.authorization))
      return refuse(401, 'E_DRIVER_SIGN_ERROR', 'Sign in again.');
    if (method === 'GET' && path === '/devices') return { json: { devices: [lamp()] }, delayMs };
    if (path !== '/devices/lamp-1/actions' && defect === 'hangs-on-unknown') return 'hang' as const;
    if (path !== '/devices/lamp-1/actions')
      return defect === 'no-404' ? refuse(400, 'E_DRIVER_ERROR', 'bad') : refuse(404, 'E_DRIVER_DEVICE_NO_FOUND', 'No such device.');
    const action = JSON.parse(body) as { property: string; name: string; value?: number };
    const now = state['brightness'] as number;
    let next: unknown = action.name;
    if (action.property === 'brightness') {
      const up = defect === 'up-goes-down' ? -10 : 10;
      if (action.name === 'num') numbers++;
      // The put-back's num is the second one: that is where a cloud that forgets sets it wrong.
      const num = defect === 'wrong-num' ? (action.value ?? 0) + 1 : defect === 'not-put-back' && numbers === 2 ? 7 : action.value;
      next = { up: Math.min(100, now + up), down: Math.max(0, now - 10), max: defect === 'max-short' ? 99 : 100, min: 0, num }[action.name];
    }
    const answer = { ...state, [action.property]: defect === 'bad-state' && action.property === 'brightness' ? 300 : next };
    if (defect !== 'not-kept') state = answer;
    return { json: { state: answer }, delayMs };
  };
  return startScriptedServer(script);
}

const run = async (defect?: Defect, options: { execute?: boolean; timeoutMs?: number } = {}) => {
  const cloud = await referenceCloud(defect);
  try {
    return await runDeviceCloudConformance(cloud.url, {
      credentials: { kind: 'service', token: SERVICE, userId: 'u-1' },
      timeoutMs: options.timeoutMs ?? 2500,
      execute: options.execute ?? true,
    });
  } finally {
    await cloud.close();
  }
};
const failures = (report: Awaited<ReturnType<typeof run>>) => report.results.filter((r) => !r.ok).map((r) => [r.id, r.message]);

describe('against a device cloud that follows the contract', () => {
  it('finds nothing wrong, sending every action and putting the device back', async () => {
    const report = await run();
    expect(failures(report)).toEqual([]);
    expect(report.results.map((r) => r.id)).toEqual([
      'auth.none',
      'auth.bad-token',
      'auth.service-token-alone',
      'devices.list',
      'devices.unique-ids',
      'device.lamp-1',
      'actions.unknown-device',
      'actions.lamp-1.switch.on',
      'actions.lamp-1.switch.off',
      'actions.lamp-1.brightness.up',
      'actions.lamp-1.brightness.down',
      'actions.lamp-1.brightness.max',
      'actions.lamp-1.brightness.min',
      'actions.lamp-1.brightness.num',
      'actions.lamp-1.put-back',
      'errors.body',
      'timing',
    ]);
  });

  it('sends each action with an Idempotency-Key of its own, as the driver does', async () => {
    const cloud = await referenceCloud();
    try {
      await runDeviceCloudConformance(cloud.url, {
        credentials: { kind: 'service', token: SERVICE, userId: 'u-1' },
        timeoutMs: 2500,
        execute: true,
      });
      const keys = cloud.requests.filter((r) => r.method === 'POST').map((r) => r.headers['idempotency-key']);
      expect(keys.length).toBeGreaterThan(5);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.every((key) => typeof key === 'string' && key.length > 0)).toBe(true);
    } finally {
      await cloud.close();
    }
  });

  it("passes npm start's own http cloud, saying the scene cannot be put back rather than claiming it", async () => {
    const cloud = await startDeviceCloud({ authenticate: serviceToken(SERVICE) });
    try {
      const report = await runDeviceCloudConformance(cloud.url, {
        credentials: { kind: 'service', token: SERVICE, userId: 'u-2' },
        timeoutMs: 2500,
        execute: true,
      });
      expect(failures(report)).toEqual([]);
      const skipped = report.results.filter((r) => r.skipped);
      expect(skipped).toEqual([
        expect.objectContaining({
          id: expect.stringMatching(/^actions\.vd-.*-scene-home\.put-back$/),
          message: 'cannot be put back as it was: it had no switch before the run and now has switch: "on", and no action removes a value',
        }),
      ]);
    } finally {
      await cloud.close();
    }
  });

  it('sends no action when it may not execute, and says why', async () => {
    const report = await run(undefined, { execute: false });
    expect(failures(report)).toEqual([]);
    expect(report.results.find((r) => r.id === 'actions.lamp-1')).toMatchObject({
      skipped: true,
      message: 'read-only: give --execute to send actions (the default on loopback only)',
    });
  });
});

describe('finds each planted defect', () => {
  it.each<[Defect, string, string]>([
    ['open', 'auth.none', 'HTTP 200, not 401'],
    ['service-token-alone', 'auth.service-token-alone', 'HTTP 200, not 401'],
    ['wrong-num', 'actions.lamp-1.brightness.num', 'state.brightness is 51, not 50'],
    ['up-goes-down', 'actions.lamp-1.brightness.up', 'state.brightness went from 40 to 30: not up'],
    ['max-short', 'actions.lamp-1.brightness.max', "state.brightness is 99, not 100, the range's top"],
    ['not-kept', 'actions.lamp-1.switch.on', 'the next GET /devices shows state.switch "off", not "on"'],
    ['no-404', 'actions.unknown-device', 'HTTP 400, not 404'],
    ['bad-state', 'actions.lamp-1.brightness.up', 'state.brightness: expected a number from 0 to 100'],
    ['not-put-back', 'actions.lamp-1.put-back', 'state.brightness is 7 after, not 40 as before'],
  ])('%s: %s', async (defect, id, message) => {
    const report = await run(defect);
    expect(report.results.find((r) => r.id === id)).toMatchObject({ ok: false, message });
  });

  it('error bodies that are not {errorName, message}', async () => {
    const report = await run('bad-error-body');
    expect(report.results.find((r) => r.id === 'errors.body')).toMatchObject({
      ok: false,
      message:
        'GET /devices without credentials (HTTP 401): the body is not a JSON object; GET /devices with a wrong token (HTTP 401): the body is not a JSON object; ' +
        'GET /devices with the service token alone (HTTP 401): the body is not a JSON object; and 1 more',
    });
  });

  it('no answer at all, once the cloud has answered others: a finding, and the run goes on', async () => {
    const report = await run('hangs-on-unknown', { timeoutMs: 100 });
    expect(report.results.find((r) => r.id === 'actions.unknown-device')).toMatchObject({ ok: false, message: 'no answer, not 404' });
    expect(report.results.find((r) => r.id === 'timing')!.message).toMatch(/^an unknown device: no answer \(http:.* cannot be reached: /);
    expect(report.results.find((r) => r.id === 'actions.lamp-1.put-back')).toMatchObject({ ok: true });
  }, 15_000);

  it('answers later than the timeout', async () => {
    const report = await run('slow', { timeoutMs: 100 });
    const timing = report.results.find((r) => r.id === 'timing')!;
    expect(timing.ok).toBe(false);
    expect(timing.message).toMatch(/^GET \/devices took 1\d\d ms; /);
  });
});

describe('the command line', () => {
  const cloudArgs = ['http://127.0.0.1:9/', '--protocol', 'device-cloud'];
  it.each<[string[], Record<string, string>, string]>([
    [
      [],
      {},
      'The device cloud needs credentials: --upstream-token (or CONFORMANCE_UPSTREAM_TOKEN), or --service-token (or CONFORMANCE_SERVICE_TOKEN) with --user-id.',
    ],
    [['--service-token', 's'], {}, '--service-token needs --user-id, the vendor user it acts for.'],
    [['--upstream-token', 't', '--user-id', 'u'], {}, '--user-id goes with --service-token.'],
    [['--upstream-token', 't'], { CONFORMANCE_SERVICE_TOKEN: 's' }, 'Give --upstream-token or --service-token: not both.'],
    [['--upstream-token', 't', '--timeout-ms', '0'], {}, '--timeout-ms is a whole number of milliseconds above 0.'],
    [['--upstream-token', 't', '--bearer', 'b'], {}, '--bearer is not for --protocol device-cloud.'],
  ])('%j %j: %s', (args, env, message) => {
    expect(() => parseConformanceArgs([...cloudArgs, ...args], env)).toThrow(new UsageError(message));
  });

  it('device-cloud options on a driver run are refused', () => {
    expect(() => parseConformanceArgs(['http://127.0.0.1:9/', '--upstream-token', 't'], {})).toThrow(
      new UsageError('--upstream-token, --service-token and --timeout-ms are for --protocol device-cloud.'),
    );
  });

  it('reads the secrets and the timeout from the environment, an option winning', () => {
    const env = { CONFORMANCE_SERVICE_TOKEN: 'from-env', DEVICE_CLOUD_TIMEOUT_MS: '4000' };
    const parsed = parseConformanceArgs([...cloudArgs, '--user-id', 'u'], env);
    expect(parsed !== 'help' && parsed.options.deviceCloud).toEqual({
      credentials: { kind: 'service', token: 'from-env', userId: 'u' },
      timeoutMs: 4000,
    });
    const given = parseConformanceArgs([...cloudArgs, '--upstream-token', 'opt', '--timeout-ms', '900'], {
      CONFORMANCE_UPSTREAM_TOKEN: 'env',
    });
    expect(given !== 'help' && given.options.deviceCloud).toEqual({ credentials: { kind: 'upstream', token: 'opt' }, timeoutMs: 900 });
    const defaults = parseConformanceArgs([...cloudArgs, '--upstream-token', 'opt'], {});
    expect(defaults !== 'help' && defaults.options).toMatchObject({ execute: true, deviceCloud: { timeoutMs: 2500 } });
  });

  it('is read-only away from loopback unless --execute is given', () => {
    const away = ['https://devices.example.com/homebase', '--protocol', 'device-cloud', '--upstream-token', 't'];
    expect(parseConformanceArgs(away, {})).toMatchObject({ options: { execute: false } });
    expect(parseConformanceArgs([...away, '--execute'], {})).toMatchObject({ options: { execute: true } });
    expect(parseConformanceArgs([...cloudArgs, '--upstream-token', 't', '--read-only'], {})).toMatchObject({ options: { execute: false } });
  });

  it('exits 2 for a cloud that cannot be reached, naming it', async () => {
    const url = await closedPortUrl();
    const failed = await promisify(execFile)(process.execPath, ['bin/conformance.ts', url, '--protocol', 'device-cloud'], {
      env: { ...process.env, CONFORMANCE_UPSTREAM_TOKEN: 't' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining(`${url}/devices cannot be reached`) });
  });
});
