/**
 * The example device cloud (examples/device-cloud/) as a vendor would run it, checked by
 * `npm run conformance -- <url> --protocol device-cloud`: it passes with a user's UserCenter token and with the
 * service token for a user (one whose id travels RFC 8187-encoded too), and a copy of it with an invalid device
 * fails, naming the device and the field. And the driver's own handlers reach it: v1 /list and /execute for a user
 * signed in at UserCenter, v2 Discover and Control with that user's BearerToken and for a JWT user.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT, startUserCenter, type UserCenterServer } from '../../lib/local/usercenter-server.ts';
import { type ExampleCloud, startExampleCloud, userCenterToken } from '../support/example-cloud.ts';
import { startHandlers } from '../support/handlers.ts';
import { bearer, control, discover, jwt } from '../support/v2.ts';

const run = promisify(execFile);
const EXAMPLE = 'examples/device-cloud/server.ts';
const SERVICE_TOKEN = 'example-service-token-1';

/** The conformance CLI, as `npm run conformance` runs it; its exit code and JSON report. */
async function conformance(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(process.execPath, ['bin/conformance.ts', ...args, '--json'], { env: { ...process.env, ...env } });
    return { code: 0, report: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, report: failed.stdout ? JSON.parse(failed.stdout) : undefined, stderr: failed.stderr };
  }
}
const failures = (report: { results: { id: string; ok: boolean; message: string }[] }) =>
  report.results.filter((r) => !r.ok).map((r) => ({ id: r.id, message: r.message }));

let userCenter: UserCenterServer;
let cloud: ExampleCloud;
beforeAll(async () => {
  userCenter = await startUserCenter({ accounts: [DEMO_ACCOUNT] });
  cloud = await startExampleCloud(EXAMPLE, { ACCOUNT_URL: userCenter.url, SERVICE_TOKEN });
}, 20_000);
afterAll(async () => {
  await cloud.close();
  await userCenter.close();
});

describe('the example cloud', () => {
  it('passes with a user token it validates with the account service', async () => {
    const token = await userCenterToken(userCenter.url, DEMO_ACCOUNT.username, DEMO_ACCOUNT.password);
    const { code, report } = await conformance([cloud.url, '--protocol', 'device-cloud'], { CONFORMANCE_UPSTREAM_TOKEN: token });
    expect(failures(report)).toEqual([]);
    expect(code).toBe(0);
    const ids = report.results.map((r: { id: string }) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining(['auth.none', 'auth.bad-token', 'devices.list', 'device.plug-1', 'actions.lamp-1.brightness.up']),
    );
    expect(ids).toContain('actions.lamp-1.put-back');
    expect(report.skipped).toBe(1); // auth.service-token-alone: no service token given
  }, 30_000);

  it('passes with the service token for a user, whose id is sent RFC 8187-encoded when it is not plain ASCII', async () => {
    for (const userId of ['10001', '张三']) {
      const { code, report } = await conformance([cloud.url, '--protocol', 'device-cloud', '--user-id', userId], {
        CONFORMANCE_SERVICE_TOKEN: SERVICE_TOKEN,
      });
      expect(failures(report)).toEqual([]);
      expect(code).toBe(0);
      expect(report.results.find((r: { id: string }) => r.id === 'auth.service-token-alone')).toMatchObject({ ok: true, skipped: false });
    }
  }, 30_000);

  it('reads an RFC 8187-encoded X-Homebase-User-Id as the user it names', async () => {
    const as = (user: string) => ({ authorization: `Bearer ${SERVICE_TOKEN}`, 'x-homebase-user-id': user });
    const switched = await fetch(`${cloud.url}/devices/lamp-1/actions`, {
      method: 'POST',
      headers: { ...as('plain-user'), 'content-type': 'application/json' },
      body: JSON.stringify({ property: 'switch', name: 'on' }),
    });
    expect(await switched.json()).toEqual({ state: { switch: 'on', brightness: 40 } });
    const read = async (header: string) => {
      const body = (await (await fetch(`${cloud.url}/devices`, { headers: as(header) })).json()) as { devices: { state: unknown }[] };
      return body.devices[0]?.state;
    };
    expect(await read("UTF-8''plain%2Duser")).toEqual({ switch: 'on', brightness: 40 });
    expect(await read('other-user')).toEqual({ switch: 'off', brightness: 40 });
  });

  it('a copy with a device of a type Homebase does not have fails, naming the device and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'example-cloud-'));
    const copy = join(dir, 'server.ts');
    writeFileSync(copy, readFileSync(EXAMPLE, 'utf8').replace("type: 'socket'", "type: 'outlet'"));
    const broken = await startExampleCloud(copy, { ACCOUNT_URL: userCenter.url, SERVICE_TOKEN });
    try {
      const { code, report } = await conformance([broken.url, '--protocol', 'device-cloud', '--user-id', 'u-1'], {
        CONFORMANCE_SERVICE_TOKEN: SERVICE_TOKEN,
      });
      expect(code).toBe(1);
      expect(failures(report)).toEqual([
        {
          id: 'device.plug-1',
          message:
            'plug-1: type "outlet" is not a Homebase type (light, switch, socket, irController, curtain, …; docs/device-cloud.md lists all 41)',
        },
      ]);
    } finally {
      await broken.close();
    }
  }, 30_000);
});

describe('the driver against the example cloud', () => {
  it('v1 /list and /execute, and v2 Discover and Control with a BearerToken and with a JWT, reach its devices', async () => {
    const driver = await startHandlers({
      USERCENTER_URL: userCenter.url,
      DEVICE_CLOUD: 'http',
      DEVICE_CLOUD_URL: cloud.url,
      DEVICE_CLOUD_SERVICE_TOKEN: SERVICE_TOKEN,
      ROKID_JWT_APP_ID: 'app-1',
      ROKID_JWT_APP_SECRET: 'jwt-secret-1',
    });
    try {
      const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
      const userAuth = login.data as { userId: string; userToken: string };
      const listed = (await driver.call('list', JSON.stringify({ userAuth }))).data as { deviceId: string }[];
      expect(listed.map((d) => d.deviceId)).toEqual(['lamp-1', 'plug-1']);
      const executed = await driver.call(
        'execute',
        JSON.stringify({ device: { deviceId: 'plug-1', userAuth }, action: { property: 'switch', name: 'on' } }),
      );
      expect(executed).toMatchObject({ status: 0, data: { switch: 'on' } });
      for (const authorization of [bearer(userAuth.userToken), jwt(DEMO_ACCOUNT.userId, 'app-1', 'jwt-secret-1')]) {
        const found = await driver.v2(discover(authorization));
        expect(found.payload.endpoints.map((e: { endpointId: string }) => e.endpointId)).toEqual(['lamp-1', 'plug-1']);
        const answer = await driver.v2(control(authorization, 'lamp-1', 'Brightness.Set', { value: 70 }));
        expect(answer.endpoint!.states).toContainEqual(expect.objectContaining({ interface: 'Brightness', value: 70 }));
      }
    } finally {
      await driver.close();
    }
  }, 30_000);
});
