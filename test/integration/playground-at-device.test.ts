/**
 * The playground's "at the wall": offered only where the device cloud is npm start's own (the virtual one, or the
 * local http cloud), and its request checked against the device model before anything is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { serviceToken, startDeviceCloud } from '../../lib/local/device-cloud-server.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { postJson } from '../support/http.ts';
import { discover, type V2Authorization } from '../support/v2.ts';

const user = 'vendor-user-1';

async function post(driver: LocalDriver, path: string, body: unknown) {
  const response = await fetch(`${driver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function pageConfig(driver: LocalDriver): Promise<Record<string, unknown>> {
  const page = await (await fetch(`${driver.url}/`)).text();
  return JSON.parse(/<script type="application\/json" id="playground-config">(.*?)<\/script>/s.exec(page)![1]!);
}

const jwtFor = async (driver: LocalDriver) => ({
  type: 'JWT',
  token: (await post(driver, '/playground/jwt', { userId: user })).body['token'],
});

describe("at the wall on npm start's own http device cloud", () => {
  let driver: LocalDriver;
  const light = demoHome(user).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;
  beforeAll(async () => {
    driver = await startLocalDriver({ port: 0, upstreamStyle: 'xiaomi', settings: { REFRESH_INTERVAL_S: '3600' } });
  }, 30_000);
  afterAll(() => driver.close());

  it('is offered on the page', async () => {
    expect(await pageConfig(driver)).toMatchObject({ stateReports: true, atTheWall: true });
  });

  it('answers 404 for a device the user does not have, naming it', async () => {
    const answer = await post(driver, '/playground/at-device', {
      authorization: await jwtFor(driver),
      deviceId: 'no-such-device',
      action: { property: 'switch', name: 'on' },
    });
    expect(answer).toEqual({ status: 404, body: { message: `E_DRIVER_DEVICE_NO_FOUND: No device "no-such-device" in ${user}'s home.` } });
  });

  it('answers 400 naming the field for a value the device model refuses, and the device is left as it was', async () => {
    const authorization = await jwtFor(driver);
    const answer = await post(driver, '/playground/at-device', {
      authorization,
      deviceId: light,
      action: { property: 'brightness', name: 'num', value: 'abc' },
    });
    expect(answer).toEqual({ status: 400, body: { message: 'E_DRIVER_ERROR: The value of brightness.num must be a number.' } });
    const unknown = await post(driver, '/playground/at-device', {
      authorization,
      deviceId: light,
      action: { property: 'loudness', name: 'up' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body['message']).toMatch(/^E_DRIVER_ERROR: Invalid request: action\.property: expected "switch" \| "color" \| /);
    const missing = await post(driver, '/playground/at-device', { authorization, deviceId: light });
    expect(missing).toEqual({ status: 400, body: { message: 'E_DRIVER_ERROR: Invalid request: action is required' } });
    // Still a device the driver lists.
    const discovered = await postJson(driver.url, '/v2', discover(authorization as V2Authorization));
    expect(discovered.payload.endpoints.map((e: { endpointId: string }) => e.endpointId)).toContain(light);
  });

  it('applies a valid change and reports it', async () => {
    const answer = await post(driver, '/playground/at-device', {
      authorization: await jwtFor(driver),
      deviceId: light,
      action: { property: 'brightness', name: 'num', value: 40 },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ state: { brightness: 40 }, reported: 202 });
  });
});

describe('at the wall on the virtual cloud', () => {
  let driver: LocalDriver;
  beforeAll(async () => {
    driver = await startLocalDriver({ port: 0, settings: { REFRESH_INTERVAL_S: '3600' } });
  }, 30_000);
  afterAll(() => driver.close());

  it('is offered, and answers 404 for an unknown device, naming it', async () => {
    expect(await pageConfig(driver)).toMatchObject({ atTheWall: true });
    const answer = await post(driver, '/playground/at-device', {
      authorization: await jwtFor(driver),
      deviceId: 'no-such-device',
      action: { property: 'switch', name: 'on' },
    });
    expect(answer).toEqual({
      status: 404,
      body: {
        message:
          'E_DRIVER_DEVICE_NO_FOUND: Device "no-such-device" was not found in your account. It may have been removed; refresh the device list.',
      },
    });
  });
});

describe("at the wall on a vendor's device cloud", () => {
  let driver: LocalDriver;
  let cloud: Awaited<ReturnType<typeof startDeviceCloud>>;
  beforeAll(async () => {
    cloud = await startDeviceCloud({ authenticate: serviceToken('chosen-by-the-vendor') });
    driver = await startLocalDriver({
      port: 0,
      settings: {
        REFRESH_INTERVAL_S: '3600',
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: cloud.url,
        DEVICE_CLOUD_SERVICE_TOKEN: 'chosen-by-the-vendor',
      },
    });
  }, 30_000);
  afterAll(async () => {
    await driver.close();
    await cloud.close();
  });

  it('is not offered, and the route says why with 409', async () => {
    expect(await pageConfig(driver)).toMatchObject({ stateReports: true, atTheWall: false });
    const answer = await post(driver, '/playground/at-device', {
      authorization: await jwtFor(driver),
      deviceId: 'any',
      action: { property: 'switch', name: 'on' },
    });
    expect(answer).toEqual({
      status: 409,
      body: { message: 'The device cloud is not the local one: change the device in it, and it reports to the driver.' },
    });
  });
});
