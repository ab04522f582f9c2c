import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpDeviceCloud } from '../../functions/adapters/device-cloud/http-cloud.ts';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { type DeviceCloudServer, serviceToken, startDeviceCloud } from '../../lib/local/device-cloud-server.ts';
import { closedPortUrl, type Script, type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

const session = { vendorUserId: 'u1', credentials: async () => ({ accessToken: 'upstream-token' }) };
const lamp = { deviceId: 'lamp/1', name: 'Lamp', type: 'light', actions: { switch: ['on', 'off'] }, state: { switch: 'off' } };

describe('HTTP device cloud', () => {
  let server: ScriptedServer;
  let cloud: HttpDeviceCloud;
  const normal = () => ({ json: { devices: [lamp] } });

  beforeAll(async () => {
    server = await startScriptedServer(normal);
    cloud = new HttpDeviceCloud({ baseUrl: `${server.url}/homebase/`, timeoutMs: 300 });
  });
  afterEach(() => {
    server.script = normal;
    server.requests.length = 0;
  });
  afterAll(() => server.close());

  it('lists devices with the upstream token as a bearer token', async () => {
    await expect(cloud.list(session)).resolves.toEqual([lamp]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/homebase/devices' });
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer upstream-token');
  });

  it('gives the cloud only what is left of a caller’s deadline, and calls nothing once it has passed', async () => {
    server.script = () => 'hang';
    const hurried = { ...session, deadline: { remainingMs: () => 40 } };
    await expect(cloud.list(hurried)).rejects.toMatchObject({
      errorName: 'E_DRIVER_TIMEOUT',
      message: 'The device cloud did not answer within 40 ms.',
    });
    expect(server.requests).toHaveLength(1);
    const late = { ...session, deadline: { remainingMs: () => 0 } };
    await expect(cloud.list(late)).rejects.toMatchObject({ errorName: 'E_DRIVER_TIMEOUT' });
    expect(server.requests).toHaveLength(1);
  });

  it('calls for a v2 JWT user with the service token, naming the user', async () => {
    const service = { vendorUserId: 'jwt-user', credentials: async () => ({ accessToken: 'service-token', actingFor: 'jwt-user' }) };
    await expect(cloud.list(service)).resolves.toEqual([lamp]);
    expect(server.requests[0]!.headers).toMatchObject({ authorization: 'Bearer service-token', 'x-homebase-user-id': 'jwt-user' });
  });

  it.each([
    ['Chinese characters', '张三', "UTF-8''%E5%BC%A0%E4%B8%89"],
    ['a leading space', ' bob', "UTF-8''%20bob"],
    ['a trailing tab', 'bob\t', "UTF-8''bob%09"],
    ['CR and LF', 'bob\r\nx-evil: 1', "UTF-8''bob%0D%0Ax-evil%3A%201"],
    ['NUL', 'bob\u0000', "UTF-8''bob%00"],
  ])('names a user with %s encoded, and the answer is read as usual', async (_case, userId, header) => {
    const service = { vendorUserId: userId, credentials: async () => ({ accessToken: 'service-token', actingFor: userId }) };
    await expect(cloud.list(service)).resolves.toEqual([lamp]);
    expect(server.requests[0]!.headers['x-homebase-user-id']).toBe(header);
    expect(server.requests[0]!.headers).not.toHaveProperty('x-evil');
  });

  it('refuses, by name and without calling, a userId no UTF-8 can carry', async () => {
    const service = { vendorUserId: 'bob\uD800', credentials: async () => ({ accessToken: 'service-token', actingFor: 'bob\uD800' }) };
    await expect(cloud.list(service)).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
      message: 'The user id is not well-formed Unicode (it has a lone surrogate), so it cannot be named to the device cloud.',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('finds one device by listing', async () => {
    await expect(cloud.get(session, 'lamp/1')).resolves.toEqual(lamp);
    await expect(cloud.get(session, 'other')).resolves.toBeUndefined();
  });

  it('posts the action to the device, its id encoded, and answers the state', async () => {
    server.script = () => ({ json: { state: { switch: 'on' } } });
    await expect(cloud.execute(session, 'lamp/1', { property: 'switch', name: 'on' })).resolves.toEqual({ switch: 'on' });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/homebase/devices/lamp%2F1/actions' });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ property: 'switch', name: 'on' });
  });

  it.each([
    ['404 on a device', 'E_DRIVER_DEVICE_NO_FOUND', () => ({ status: 404, json: {} })],
    ['401', 'E_DRIVER_SIGN_ERROR', () => ({ status: 401, json: {} })],
    [
      'a Homebase errorName in the body',
      'E_VALUE_OUT_OF_RANGE',
      () => ({ status: 400, json: { errorName: 'E_VALUE_OUT_OF_RANGE', message: 'too hot' } }),
    ],
    ['an unknown errorName in the body', 'E_DRIVER_ERROR', () => ({ status: 400, json: { errorName: 'E_MADE_UP' } })],
    ['500', 'E_SERVER_UNREACHABLE', () => ({ status: 500, json: {} })],
    ['no state in the answer', 'E_DRIVER_ERROR', () => ({ json: { ok: true } })],
    ['no answer in time', 'E_DRIVER_TIMEOUT', () => 'hang'],
    ['a connection reset', 'E_SERVER_UNREACHABLE', () => 'reset'],
  ] satisfies Array<[string, string, Script]>)('maps %s on execute to %s', async (_case, errorName, script) => {
    server.script = script;
    await expect(cloud.execute(session, 'lamp/1', { property: 'switch', name: 'on' })).rejects.toMatchObject({ errorName });
  });

  it("passes the cloud's message and HTTP status on", async () => {
    server.script = () => ({ status: 409, json: { errorName: 'E_ENDPOINT_BUSY', message: 'Curtain is moving' } });
    await expect(cloud.execute(session, 'lamp/1', { property: 'switch', name: 'on' })).rejects.toMatchObject({
      errorName: 'E_ENDPOINT_BUSY',
      message: 'Curtain is moving',
      vendorErrorCode: '409',
    });
  });

  it('refuses a list without a devices array', async () => {
    server.script = () => ({ json: [lamp] });
    await expect(cloud.list(session)).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
      message: expect.stringContaining('"devices" array'),
    });
  });

  it('says E_DRIVER_TIMEOUT when the list is slow, and E_SERVER_UNREACHABLE when nothing listens', async () => {
    server.script = () => ({ delayMs: 1000, json: { devices: [] } });
    await expect(cloud.list(session)).rejects.toMatchObject({ errorName: 'E_DRIVER_TIMEOUT', message: expect.stringContaining('300 ms') });
    const nowhere = new HttpDeviceCloud({ baseUrl: await closedPortUrl(), timeoutMs: 300 });
    await expect(nowhere.list(session)).rejects.toMatchObject({ errorName: 'E_SERVER_UNREACHABLE' });
  });
});

describe('HTTP device cloud, against the local cloud (lib/local/device-cloud-server.ts)', () => {
  let local: DeviceCloudServer;
  let cloud: HttpDeviceCloud;
  const as = (userId: string) => ({ vendorUserId: userId, credentials: async () => ({ accessToken: 'svc-1', actingFor: userId }) });
  const ids = (devices: unknown[]) => devices.map((device) => (device as { deviceId: string }).deviceId);

  beforeAll(async () => {
    local = await startDeviceCloud({ authenticate: serviceToken('svc-1') });
    cloud = new HttpDeviceCloud({ baseUrl: local.url, timeoutMs: 2000 });
  });
  afterAll(() => local.close());

  it.each([' bob', 'bob ', 'bob\t', '\u00A0bob'])('%j is never trimmed into bob: it sees a home of its own', async (userId) => {
    const bobs = ids(await cloud.list(as('bob')));
    await cloud.execute(as('bob'), bobs[0]!, { property: 'switch', name: 'on' });
    const theirs = await cloud.list(as(userId));
    expect(ids(theirs)).toEqual(ids(demoHome(userId)));
    expect(ids(theirs)).not.toContain(bobs[0]);
    await expect(cloud.execute(as(userId), bobs[0]!, { property: 'switch', name: 'off' })).rejects.toMatchObject({
      errorName: 'E_DRIVER_DEVICE_NO_FOUND',
    });
    expect((await cloud.get(as('bob'), bobs[0]!)) as { state: unknown }).toMatchObject({ state: { switch: 'on' } });
  });

  it.each(['张三', 'bob\r\nbob', 'bob\u0000', "UTF-8''bob"])('%j is answered normally, as that user', async (userId) => {
    const devices = await cloud.list(as(userId));
    expect(ids(devices)).toEqual(ids(demoHome(userId)));
    await expect(cloud.execute(as(userId), ids(devices)[0]!, { property: 'switch', name: 'on' })).resolves.toMatchObject({ switch: 'on' });
    expect(local.refused).toBe(0);
  });
});
