/**
 * What a ChangeReport says, through the real webhook and consumer on the embedded DynamoDB and the Rokid stand-in:
 * reports that agree with themselves, only what changed, order per (endpoint, interface) by the device's clock,
 * and no report for a device the cloud does not list.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { retryDelayS } from '../../functions/domain/events/delivery.ts';
import { startStateReports } from '../support/state-reports.ts';
import { bearer, v2Message } from '../support/v2.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
let userAuth: { userId: string; userToken: string };
const deviceOf = (suffix: string) => demoHome(userAuth.userId).find((d) => d.deviceId.endsWith(suffix))!.deviceId;
let n = 0;
const change = (deviceId: string, state?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: `c-${++n}`,
  userId: userAuth.userId,
  deviceId,
  type: 'changed',
  ...(state ? { state } : {}),
  ...extra,
});
type Sent = { endpoint: { endpointId: string; states: Array<{ interface: string; value: unknown; timeOfSample: string }> }; payload: any };
const reports = () => harness.rokid.accepted().map((e) => e.message as Sent);
const changed = () =>
  reports().map((r) => r.payload.change.states.map((s: { interface: string; value: unknown }) => [s.interface, s.value]));

beforeAll(async () => {
  harness = await startStateReports();
  userAuth = await harness.login();
  await harness.call('list', JSON.stringify({ userAuth }));
  expect((await harness.acceptGrant(userAuth.userToken, 'rokid-1')).header.name).toBe('AcceptGrantResponse');
}, 30_000);
afterAll(() => harness.close());
beforeEach(async () => {
  harness.rokid.gatewayFault = undefined;
  await harness.drain();
  harness.rokid.received.length = 0;
});

describe('a ChangeReport agrees with itself', () => {
  it("endpoint.states is the device as read, overlaid with the event's states, which keep their own timeOfSample", async () => {
    // The virtual cloud still reads brightness 80: its list lags the change it reported.
    await harness.postEvents({ events: [change(deviceOf('white-light'), { brightness: 55 })] });
    await harness.drain();
    const [report] = reports();
    const inChange = report!.payload.change.states[0];
    expect(inChange).toMatchObject({ interface: 'Brightness', value: 55 });
    const inEndpoint = report!.endpoint.states.find((s) => s.interface === 'Brightness');
    expect(inEndpoint).toEqual(inChange);
    // The states the event did not name are the device's, as read.
    expect(report!.endpoint.states.find((s) => s.interface === 'Switch')).toMatchObject({ value: 'Off' });
  });
});

describe('only what changed', () => {
  it('an event without state reports the interfaces that differ from what Rokid was last sent, and nothing when none does', async () => {
    const light = deviceOf('rgb-light');
    await harness.postEvents({ events: [change(light)] });
    await harness.drain();
    expect(reports()).toHaveLength(1); // nothing was sent before: every state differs
    harness.rokid.received.length = 0;
    await harness.postEvents({ events: [change(light)] });
    await harness.drain();
    expect(reports()).toEqual([]);
  });

  it("a Control's Response counts as sent: the event that follows it, without state, reports nothing", async () => {
    const light = deviceOf('rgb-light');
    const answer = await harness.v2(
      v2Message('Rokid.Control', 'Switch.On', bearer(userAuth.userToken), { endpoint: { endpointId: light, additionalInfo: {} } }),
    );
    expect(answer.header.name).toBe('Response');
    // The Response is kept off the Control's path: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await harness.postEvents({ events: [change(light)] });
    await harness.drain();
    expect(reports()).toEqual([]);
  });
});

describe('order per (endpoint, interface)', () => {
  it('an older change of one interface still reaches Rokid after a newer change of another', async () => {
    const light = deviceOf('white-light');
    harness.rokid.gatewayFault = 503;
    await harness.postEvents({ events: [change(light, { brightness: 12 })] });
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    harness.rokid.gatewayFault = undefined;
    await harness.postEvents({ events: [change(light, { switch: 'on' })] });
    await harness.deliver();
    harness.advance(retryDelayS(1) * 1000);
    await harness.drain();
    expect(changed()).toEqual([[['Switch', 'On']], [['Brightness', 12]]]);
  });

  it("by the device's timeOfSample: a change that happened earlier, received later, is not sent", async () => {
    const light = deviceOf('white-light');
    const now = Date.now();
    await harness.postEvents({ events: [change(light, { brightness: 30 }, { timeOfSample: new Date(now).toISOString() })] });
    await harness.postEvents({ events: [change(light, { brightness: 20 }, { timeOfSample: new Date(now - 2000).toISOString() })] });
    await harness.drain();
    expect(changed()).toEqual([[['Brightness', 30]]]);
    expect(reports()[0]!.payload.change.states[0].timeOfSample).toBe(new Date(now).toISOString());
  });

  it("by the device's sequence, and a multi-interface event keeps the interfaces no newer change overtook", async () => {
    const light = deviceOf('white-light');
    await harness.postEvents({ events: [change(light, { brightness: 41 }, { sequence: 9 })] });
    await harness.drain();
    await harness.postEvents({ events: [change(light, { brightness: 40, switch: 'off' }, { sequence: 8 })] });
    await harness.drain();
    await harness.postEvents({ events: [change(light, { brightness: 39 }, { sequence: 7 })] });
    await harness.drain();
    expect(changed()).toEqual([[['Brightness', 41]], [['Switch', 'Off']]]);
    // The endpoint keeps what Rokid was sent of the interface overtaken, not the older event's value.
    expect(reports()[1]!.endpoint.states.find((s) => s.interface === 'Brightness')).toMatchObject({ value: 41 });
  });
});

describe('no ghost endpoints', () => {
  it('a change of a device the cloud does not list is read again once, then dropped and never sent', async () => {
    await harness.postEvents({ events: [change('no-such-device', { switch: 'on' })] });
    expect((await harness.deliver())?.response.batchItemFailures).toHaveLength(1);
    harness.advance(retryDelayS(1) * 1000);
    expect((await harness.deliver())?.response.batchItemFailures).toEqual([]);
    harness.advance(3600_000);
    expect(await harness.deliver()).toBeUndefined();
    expect(harness.rokid.received).toEqual([]);
  });
});
