import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSchema } from '../../functions/domain/protocol/device.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { expectRhomeAccepts } from '../support/rhome.ts';

let driver: LocalDriver;
const savedEnv = { ...process.env };
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0 });
});
afterAll(async () => {
  await driver.close();
  process.env = savedEnv;
});

interface Envelope {
  status: number;
  data?: any;
  errorName?: string;
  message?: string;
}

async function post(path: string, body: unknown): Promise<Envelope> {
  const response = await fetch(`${driver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Envelope;
}

const login = (params: Record<string, string>) => post('/command', { command: 'login', params });

describe('the local driver over HTTP', () => {
  let userAuth: { userId: string; userToken: string; refreshToken: string; expiresIn: number };

  it('logs the demo user in', async () => {
    const answer = await login({ username: 'demo', password: 'homebase' });
    expect(answer).toEqual({
      status: 0,
      data: { userId: '10001', userToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 2592000 },
    });
    userAuth = answer.data;
  });

  it('lists the demo home, in a form Homebase and rhome accept', async () => {
    const answer = await post('/list', { userAuth });
    expect(answer.status).toBe(0);
    expect(answer.data.map((d: { type: string }) => d.type).sort()).toEqual(['ac', 'curtain', 'light', 'light', 'scene', 'tv']);
    for (const device of answer.data) {
      expect(v.safeParse(DeviceSchema, device).success).toBe(true);
      expectRhomeAccepts(device);
    }
  });

  it('executes an action, and the next /list and /get show the new state', async () => {
    const { data: devices } = await post('/list', { userAuth });
    const lamp = devices.find((d: { name: string }) => d.name === '吸顶灯');
    const answer = await post('/execute', {
      device: { deviceId: lamp.deviceId, state: lamp.state, deviceInfo: lamp.deviceInfo, userAuth },
      action: { property: 'brightness', name: 'num', value: 30 },
    });
    expect(answer).toEqual({ status: 0, data: { ...lamp.state, brightness: 30 } });

    const after = (await post('/list', { userAuth })).data.find((d: { deviceId: string }) => d.deviceId === lamp.deviceId);
    expect(after.state.brightness).toBe(30);

    const got = await post('/get', { device: { deviceId: lamp.deviceId }, userAuth });
    expect(got).toMatchObject({ status: 0, data: { deviceId: lamp.deviceId, state: { brightness: 30 } } });
    // Older callers put userAuth inside the device, as /execute does.
    const nested = await post('/get', { device: { deviceId: lamp.deviceId, userAuth } });
    expect(nested).toEqual(got);
  });

  it('refuses a value out of range, an undeclared action and an unknown device', async () => {
    const { data: devices } = await post('/list', { userAuth });
    const lamp = devices.find((d: { name: string }) => d.name === '吸顶灯');
    const execute = (deviceId: string, action: object) => post('/execute', { device: { deviceId, userAuth }, action });

    expect(await execute(lamp.deviceId, { property: 'brightness', name: 'num', value: 150 })).toMatchObject({
      status: 1,
      errorName: 'E_VALUE_OUT_OF_RANGE',
      message: 'brightness must be a number from 0 to 100; got 150.',
    });
    expect(await execute(lamp.deviceId, { property: 'color', name: 'random' })).toMatchObject({ errorName: 'E_DRIVER_ERROR' });
    expect(await execute('no-such-device', { property: 'switch', name: 'on' })).toMatchObject({ errorName: 'E_DRIVER_DEVICE_NO_FOUND' });
  });

  it('keeps two Homebase accounts linked to one vendor user working side by side', async () => {
    const second = await login({ username: 'demo', validateCode: '246810' });
    expect(second).toMatchObject({ status: 0, data: { userId: '10001' } });
    expect(second.data.userToken).not.toBe(userAuth.userToken);
    expect((await post('/list', { userAuth: second.data })).status).toBe(0);
    expect((await post('/list', { userAuth })).status).toBe(0);
  });

  it('signs out a token it does not know, and refuses a wrong password', async () => {
    expect(await post('/list', { userAuth: { ...userAuth, userToken: userAuth.refreshToken } })).toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
    });
    expect(await login({ username: 'demo', password: 'guess' })).toMatchObject({ errorName: 'E_DRIVER_WRONG_USERNAME_PASSWORD' });
  });

  it('answers an unknown route as API Gateway does', async () => {
    const response = await fetch(`${driver.url}/nowhere`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});
