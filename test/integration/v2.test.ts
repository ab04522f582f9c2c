/**
 * v2 over the same domain as v1, through the real handlers and the embedded DynamoDB: Discover is /list,
 * Control is /execute, ReportState is /get, and both protocols see one state. A Control acts at most once
 * per messageId; a device cloud that answers too late is E_ENDPOINT_UNREACHABLE; JWT users reach an http
 * device cloud with the service token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { type DeviceCloudServer, eitherOf, serviceToken, startDeviceCloud } from '../../lib/local/device-cloud-server.ts';
import { startHandlers, type V2Answer } from '../support/handlers.ts';
import { closedPortUrl, type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';
import { bearer, control, discover, jwt, reportState } from '../support/v2.ts';

const JWT = { ROKID_JWT_APP_ID: 'app-1', ROKID_JWT_APP_SECRET: 'jwt-secret-1' };
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('on the virtual cloud', () => {
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  let userAuth: { userId: string; userToken: string };
  const home = () => demoHome(userAuth.userId);
  const id = (suffix: string) => home().find((d) => d.deviceId.endsWith(suffix))!.deviceId;
  const statesOf = (answer: V2Answer) => Object.fromEntries(answer.endpoint!.states.map((s) => [s.interface, s.value]));
  const v1State = async (deviceId: string) =>
    ((await driver.call('get', JSON.stringify({ device: { deviceId }, userAuth }))).data as { state: Record<string, unknown> }).state;

  beforeAll(async () => {
    driver = await startHandlers(JWT);
    const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
    userAuth = login.data as typeof userAuth;
  }, 30_000);
  afterAll(() => driver.close());

  it('Discover answers every device /list does, as endpoints the digest maps', async () => {
    const listed = (await driver.call('list', JSON.stringify({ userAuth }))).data as { deviceId: string }[];
    const answer = await driver.v2(discover(bearer(userAuth.userToken), 'd-1'));
    expect(answer.header).toEqual({ namespace: 'Rokid', name: 'DiscoveryResponse', messageId: 'd-1', payloadVersion: 'v1' });
    const endpoints = answer.payload.endpoints as Record<string, any>[];
    expect(endpoints.map((e) => e.endpointId)).toEqual(listed.map((d) => d.deviceId));
    const light = endpoints.find((e) => e.endpointId === id('white-light'))!;
    expect(light).toMatchObject({
      displayType: 'light',
      displayName: '吸顶灯',
      recommendRoomName: '客厅',
      recommendHomeName: '我的家',
      offline: false,
      additionalInfo: {},
    });
    expect(light.capabilities).toContainEqual({
      interface: 'Brightness',
      version: 'v1',
      supportedOperations: ['Adjust', 'SetMax', 'SetMin', 'Set'],
      isRetrievable: true,
      retrievable: true,
      isProactivelyReported: false,
      proactivelyReported: false,
    });
    for (const state of light.states) expect(state.timeOfSample).toMatch(ISO_UTC);
    expect(Object.fromEntries(light.states.map((s: { interface: string; value: unknown }) => [s.interface, s.value]))).toEqual({
      Switch: 'Off',
      Brightness: 80,
      ColorTemperature: 50,
    });
  });

  it('Control runs through v1’s domain: v1 sees what v2 did, v2 what v1 did, and the Response has every retrievable state', async () => {
    const token = bearer(userAuth.userToken);
    const light = id('white-light');
    const on = await driver.v2(control(token, light, 'Switch.On', {}, 'c-1'));
    expect(on.header).toEqual({ namespace: 'Rokid', name: 'Response', messageId: 'c-1', payloadVersion: 'v1' });
    expect(on.payload).toEqual({});
    expect(statesOf(on)).toEqual({ Switch: 'On', Brightness: 80, ColorTemperature: 50 });
    expect(await v1State(light)).toMatchObject({ switch: 'on' });

    await driver.call(
      'execute',
      JSON.stringify({ device: { deviceId: light, userAuth }, action: { property: 'brightness', name: 'num', value: 95 } }),
    );
    expect(statesOf(await driver.v2(reportState(token, light)))).toMatchObject({ Brightness: 95 });
    // Adjust applies delta to the current state, clamped to 0–100.
    expect(statesOf(await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 20 })))).toMatchObject({ Brightness: 100 });
    expect(statesOf(await driver.v2(control(token, light, 'Brightness.Adjust', { delta: -130 })))).toMatchObject({ Brightness: 0 });
    expect(statesOf(await driver.v2(control(token, light, 'ColorTemperature.SetMax')))).toMatchObject({ ColorTemperature: 100 });
    expect(statesOf(await driver.v2(control(token, light, 'ColorTemperature.SetMin', { delta: -1 })))).toMatchObject({
      ColorTemperature: 0,
    });
    expect(await v1State(light)).toMatchObject({ brightness: 0, color_temperature: 0 });
  });

  it('enum states are operation names, FanSpeed gears are percentages, a TV channel is a {code} descriptor', async () => {
    const token = bearer(userAuth.userToken);
    expect(statesOf(await driver.v2(control(token, id('ac'), 'Mode.Heat')))).toMatchObject({ Mode: 'Heat' });
    expect(statesOf(await driver.v2(control(token, id('ac'), 'SwingMode.Auto')))).toMatchObject({ SwingMode: 'Auto' });
    expect(statesOf(await driver.v2(control(token, id('ac'), 'FanSpeed.SetHigh')))).toMatchObject({ FanSpeed: 100 });
    expect(statesOf(await driver.v2(control(token, id('ac'), 'FanSpeed.SetLow')))).toMatchObject({ FanSpeed: 25 });
    expect(statesOf(await driver.v2(control(token, id('ac'), 'FanSpeed.SetMedium')))).toMatchObject({ FanSpeed: 50 });
    expect(await v1State(id('ac'))).toMatchObject({ mode: 'heat', swing_mode: 'auto', fanspeed: 50 });
    expect(statesOf(await driver.v2(control(token, id('tv'), 'Media.TVChannel.Set', { tvChannel: { code: '7' } })))).toMatchObject({
      'Media.TVChannel': { code: '7' },
    });
    expect(statesOf(await driver.v2(control(token, id('tv'), 'Media.TVChannel.Next')))).toMatchObject({ 'Media.TVChannel': { code: '8' } });
    expect(statesOf(await driver.v2(control(token, id('curtain'), 'MotionSwitch.Off')))).toHaveProperty('Position');
  });

  it('a Control resent with the same messageId gets the first answer and acts once; another user’s same messageId is their own', async () => {
    const token = bearer(userAuth.userToken);
    const light = id('white-light');
    await driver.v2(control(token, light, 'Brightness.Set', { value: 10 }));
    const first = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 10 }, 'once-1'));
    const again = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 10 }, 'once-1'));
    expect(again).toEqual(first);
    expect(await v1State(light)).toMatchObject({ brightness: 20 });
    // An error is an answer too: resent, it is given again.
    const refused = await driver.v2(control(token, light, 'Brightness.Set', { value: 500 }, 'once-2'));
    expect(await driver.v2(control(token, light, 'Brightness.Set', { value: 500 }, 'once-2'))).toEqual(refused);
    expect(refused.payload.name).toBe('E_VALUE_OUT_OF_RANGE');

    // The same messageId asking something else is no resend: refused, and nothing acts.
    const reused = await driver.v2(control(token, light, 'Brightness.Set', { value: 90 }, 'once-1'));
    expect(reused.payload).toMatchObject({ name: 'E_INTERNAL_ERROR', message: expect.stringContaining('different directive') });
    expect(await v1State(light)).toMatchObject({ brightness: 20 });

    const other = jwt('another-vendor-user', 'app-1', 'jwt-secret-1');
    const theirs = demoHome('another-vendor-user')[0]!.deviceId;
    await driver.v2(discover(other));
    expect(statesOf(await driver.v2(control(other, theirs, 'Brightness.Set', { value: 33 }, 'once-1')))).toMatchObject({ Brightness: 33 });
  });

  it('ten deliveries of one Control at once act once: each gets the one answer, or is told the endpoint is busy', async () => {
    const token = bearer(userAuth.userToken);
    const light = id('white-light');
    await driver.v2(control(token, light, 'Brightness.Set', { value: 40 }));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => driver.v2(control(token, light, 'Brightness.Adjust', { delta: 5 }, 'burst-1'))),
    );
    expect(await v1State(light)).toMatchObject({ brightness: 45 });
    const responses = answers.filter((a) => a.header.name === 'Response');
    expect(responses.length).toBeGreaterThan(0);
    for (const answer of responses) expect(answer).toEqual(responses[0]);
    for (const answer of answers.filter((a) => a.header.name !== 'Response')) expect(answer.payload.name).toBe('E_ENDPOINT_BUSY');
  });

  it('a JWT user of the virtual cloud gets a home of their own, seeded on first sight', async () => {
    const answer = await driver.v2(discover(jwt('jwt-only-user', 'app-1', 'jwt-secret-1')));
    const ids = answer.payload.endpoints.map((e: { endpointId: string }) => e.endpointId);
    expect(ids.sort()).toEqual(
      demoHome('jwt-only-user')
        .map((d) => d.deviceId)
        .sort(),
    );
  });
});

describe('on an http device cloud', () => {
  // A userId HTTP cannot carry as it is (Chinese characters) reaches the cloud encoded: not an internal error.
  it.each([['http-user-1'], ['张三']])(
    'JWT user %s is served with the service token, naming the user; bearer users with their own token',
    async (userId) => {
      const cloud: DeviceCloudServer = await startDeviceCloud({ authenticate: eitherOf(serviceToken('svc-token-1')) });
      const driver = await startHandlers({
        ...JWT,
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: cloud.url,
        DEVICE_CLOUD_SERVICE_TOKEN: 'svc-token-1',
      });
      try {
        const user = jwt(userId, 'app-1', 'jwt-secret-1');
        const found = await driver.v2(discover(user));
        const ids = found.payload.endpoints.map((e: { endpointId: string }) => e.endpointId);
        expect(ids).toEqual(demoHome(userId).map((d) => d.deviceId));
        const answer = await driver.v2(control(user, ids[0], 'Switch.On'));
        expect(answer.endpoint!.states).toContainEqual(expect.objectContaining({ interface: 'Switch', value: 'On' }));
        expect(cloud.refused).toBe(0);
      } finally {
        await driver.close();
        await cloud.close();
      }
    },
  );

  describe('that is slow, down, or sends what v2 cannot carry', () => {
    let server: ScriptedServer;
    let driver: Awaited<ReturnType<typeof startHandlers>>;
    const lamp = { deviceId: 'lamp-1', name: '台灯', type: 'light', actions: { switch: ['on', 'off'] }, state: { switch: 'off' } };
    const user = () => jwt('slow-user', 'app-1', 'jwt-secret-1');

    beforeAll(async () => {
      server = await startScriptedServer(() => ({ json: { devices: [lamp] } }));
      // Longer than v2's whole budget: only the shared deadline can end the wait.
      driver = await startHandlers({
        ...JWT,
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: server.url,
        DEVICE_CLOUD_SERVICE_TOKEN: 'svc',
        DEVICE_CLOUD_TIMEOUT_MS: '20000',
      });
    });
    afterAll(async () => {
      await driver.close();
      await server.close();
    });

    it('a device cloud that does not answer in time: E_ENDPOINT_UNREACHABLE, not a Lambda timeout', { timeout: 10_000 }, async () => {
      server.script = () => 'hang';
      const answer = await driver.v2(control(user(), 'lamp-1', 'Switch.On', {}, 'slow-1'));
      expect(answer).toMatchObject({ header: { name: 'ErrorResponse', messageId: 'slow-1' }, payload: { name: 'E_ENDPOINT_UNREACHABLE' } });
    });

    it('a device cloud that cannot be reached: E_SERVER_UNREACHABLE', async () => {
      const down = await startHandlers({
        ...JWT,
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: await closedPortUrl(),
        DEVICE_CLOUD_SERVICE_TOKEN: 'svc',
      });
      try {
        expect((await down.v2(discover(user()))).payload.name).toBe('E_SERVER_UNREACHABLE');
      } finally {
        await down.close();
      }
    });

    it('a device whose deviceInfo v2 cannot carry even encoded is left out; one that breaks its rules travels encoded', async () => {
      const huge = { ...lamp, deviceId: 'huge-1', deviceInfo: { blob: 'x'.repeat(120_000) } };
      const dotted = { ...lamp, deviceId: 'dotted-1', deviceInfo: { 'mac.addr': 'aa:bb', nested: { a: 1 } } };
      server.script = () => ({ json: { devices: [lamp, huge, dotted] } });
      const answer = await driver.v2(discover(user()));
      const endpoints = answer.payload.endpoints as { endpointId: string; additionalInfo: Record<string, unknown> }[];
      expect(endpoints.map((e) => e.endpointId)).toEqual(['lamp-1', 'dotted-1']);
      expect(Object.keys(endpoints[1]!.additionalInfo)).toEqual(['hbDeviceInfo']);
    });
  });
});
