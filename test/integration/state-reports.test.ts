/**
 * State reports end to end on `npm start`'s runtime: AcceptGrant at /v2 against the Rokid stand-in, a change made
 * at a device of the local http device cloud reported to POST /device-events, the SQS stand-in, the consumer fed
 * by the local event-source mapping, and the Rokid gateway stand-in checking what arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { LOCAL_JWT_APP_ID, type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { gatewayVerdict } from '../../lib/stand-ins/rokid-events.ts';
import { postJson } from '../support/http.ts';
import { jwt, v2Message } from '../support/v2.ts';

let driver: LocalDriver;
const user = 'vendor-user-7';
const rokidUser = 'rokid-user-7';
const auth = () => jwt(user, LOCAL_JWT_APP_ID, driver.config.ROKID_JWT_APP_SECRET);
const light = () => demoHome(user).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;

/** Waits until the gateway has `count` events, or fails after a few seconds. */
async function received(count: number) {
  const rokid = driver.events!.rokid!;
  for (let i = 0; i < 100 && rokid.received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return rokid.received;
}

beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, upstreamStyle: 'xiaomi', playground: 'off', settings: { REFRESH_INTERVAL_S: '3600' } });
}, 30_000);
afterAll(() => driver.close());

describe('a grant, then a change at a device', () => {
  it('AcceptGrant with a code is answered Rokid.Authorization / AcceptGrantResponse, and Discover marks endpoints proactively reported', async () => {
    const code = driver.events!.rokid!.issueCode(rokidUser);
    const answer = await postJson(
      driver.url,
      '/v2',
      v2Message('Rokid.Authorization', 'AcceptGrant', auth(), {
        messageId: 'grant-1',
        payload: { grant: { type: 'OAuth2.AuthorizationCode', code, userId: rokidUser } },
      }),
    );
    expect(answer).toEqual({
      header: { namespace: 'Rokid.Authorization', name: 'AcceptGrantResponse', messageId: 'grant-1', payloadVersion: 'v1' },
      payload: {},
    });
    const discovered = await postJson(driver.url, '/v2', v2Message('Rokid.Discovery', 'Discover', auth()));
    const endpoint = discovered.payload.endpoints.find((e: { endpointId: string }) => e.endpointId === light());
    expect(endpoint.capabilities.find((c: { interface: string }) => c.interface === 'Switch')).toMatchObject({
      isProactivelyReported: true,
      proactivelyReported: true,
    });
  });

  it('a light switched at the wall reaches the gateway as a valid ChangeReport', async () => {
    const cloud = driver.deviceCloud!;
    const before = driver.events!.rokid!.received.length;
    expect((await cloud.changeAtDevice(user, light(), { property: 'switch', name: 'on' })).status).toBe(202);
    const events = (await received(before + 1)).slice(before);
    expect(events.map((e) => e.status)).toEqual([202]);
    const report = events[0]!.message as Record<string, any>;
    expect(gatewayVerdict({ ...report, header: { ...report.header, authorization: { type: 'BearerToken', token: 'x' } } })).toBeUndefined();
    expect(report.header).toMatchObject({ namespace: 'Rokid', name: 'ChangeReport', payloadVersion: 'v1' });
    expect(report.endpoint.endpointId).toBe(light());
    expect(report.payload.change).toEqual({
      cause: { type: 'PHYSICAL_INTERACTION' },
      states: [{ interface: 'Switch', value: 'On', timeOfSample: expect.any(String) }],
    });
    expect(report.endpoint.states).toContainEqual({ interface: 'Switch', value: 'On', timeOfSample: expect.any(String) });
  });

  it('a change Rokid asked for (a v2 Control, a v1 /execute) is answered, and never reported', async () => {
    const before = driver.events!.rokid!.received.length;
    const controlled = await postJson(
      driver.url,
      '/v2',
      v2Message('Rokid.Control', 'Switch.Off', auth(), { endpoint: { endpointId: light(), additionalInfo: {} } }),
    );
    expect(controlled.header.name).toBe('Response');
    await driver.events!.poller.idle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(driver.events!.rokid!.received.length).toBe(before);
  });

  it('a device added and one removed become AddOrUpdateReport and DeleteReport', async () => {
    const cloud = driver.deviceCloud!;
    const before = driver.events!.rokid!.received.length;
    const lamp = {
      deviceId: `${user}-new-lamp`,
      name: '台灯',
      type: 'light' as const,
      actions: { switch: ['on', 'off'] as ('on' | 'off')[] },
      state: { switch: 'off' as const },
    };
    expect((await cloud.addDevice(user, lamp)).status).toBe(202);
    await received(before + 1);
    expect((await cloud.removeDevice(user, lamp.deviceId)).status).toBe(202);
    const events = (await received(before + 2)).slice(before);
    expect(events.map((e) => [e.status, (e.message as any).header.namespace, (e.message as any).header.name])).toEqual([
      [202, 'Rokid.Discovery', 'AddOrUpdateReport'],
      [202, 'Rokid.Discovery', 'DeleteReport'],
    ]);
    expect((events[0]!.message as any).payload.endpoints[0]).toMatchObject({ endpointId: lamp.deviceId, displayType: 'light' });
    expect((events[1]!.message as any).payload.endpoints).toEqual([{ endpointId: lamp.deviceId }]);
  });
});
