/**
 * A device the http device cloud lists but the device model refuses: left out of /list and Discover, which stay
 * valid, and named with its field and the rule wherever it is asked for by id (/execute, v2 Control and
 * ReportState), so the vendor learns why without reading the driver's logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';
import { control, discover, jwt, reportState } from '../support/v2.ts';

const lamp = { deviceId: 'lamp-1', name: 'Lamp', type: 'light', actions: { switch: ['on', 'off'] }, state: { switch: 'off' } };
const plug = { deviceId: 'plug-1', name: 'Plug', type: 'outlet', actions: { switch: ['on', 'off'] }, state: { switch: 'off' } };
const dimmer = { ...lamp, deviceId: 'dimmer-1', actions: { brightness: ['num'] }, state: { brightness: 140 } };
const PLUG_MESSAGE =
  'Device "plug-1" is malformed in the device cloud: type "outlet" is not a Homebase type ' +
  '(light, switch, socket, irController, curtain, …; docs/device-cloud.md lists all 41)';

let cloud: ScriptedServer;
let driver: Awaited<ReturnType<typeof startHandlers>>;
let userAuth: { userId: string; userToken: string };
const user = () => jwt('vendor-user-1', 'app-1', 'jwt-secret-1');

beforeAll(async () => {
  cloud = await startScriptedServer(() => ({ json: { devices: [lamp, plug, dimmer] } }));
  driver = await startHandlers({
    ROKID_JWT_APP_ID: 'app-1',
    ROKID_JWT_APP_SECRET: 'jwt-secret-1',
    DEVICE_CLOUD: 'http',
    DEVICE_CLOUD_URL: cloud.url,
    DEVICE_CLOUD_SERVICE_TOKEN: 'svc',
  });
  const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
  userAuth = login.data as typeof userAuth;
}, 30_000);
afterAll(async () => {
  await driver.close();
  await cloud.close();
});

describe('v1', () => {
  it('/list leaves the malformed devices out', async () => {
    const listed = (await driver.call('list', JSON.stringify({ userAuth }))).data as { deviceId: string }[];
    expect(listed.map((d) => d.deviceId)).toEqual(['lamp-1']);
  });

  it('/execute on one names the field and the rule', async () => {
    const answer = await driver.call(
      'execute',
      JSON.stringify({ device: { deviceId: 'plug-1', userAuth }, action: { property: 'switch', name: 'on' } }),
    );
    expect(answer).toMatchObject({ status: 1, errorName: 'E_DRIVER_ERROR', message: PLUG_MESSAGE });
    const other = await driver.call(
      'execute',
      JSON.stringify({ device: { deviceId: 'dimmer-1', userAuth }, action: { property: 'brightness', name: 'num', value: 5 } }),
    );
    expect(other.message).toBe('Device "dimmer-1" is malformed in the device cloud: state.brightness: expected a number from 0 to 100');
  });
});

describe('v2', () => {
  it('Discover leaves it out; Control and ReportState name the field and the rule', async () => {
    const found = await driver.v2(discover(user()));
    expect(found.payload.endpoints.map((e: { endpointId: string }) => e.endpointId)).toEqual(['lamp-1']);
    for (const message of [control(user(), 'plug-1', 'Switch.On'), reportState(user(), 'plug-1')]) {
      const answer = await driver.v2(message);
      expect(answer).toMatchObject({ header: { name: 'ErrorResponse' }, payload: { message: PLUG_MESSAGE } });
    }
  });
});
