/**
 * The v1 device model as v2 interfaces (functions/domain/v2/interfaces.ts), on the demo home and on
 * devices made for each case: capabilities, states, and each Interface.Operation back to the v1 action,
 * which v1's own checks then accept. Any listed operation, with a payload of its kind, maps to an action.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { resolveAction } from '../../functions/domain/protocol/action.ts';
import type { Device } from '../../functions/domain/protocol/device.ts';
import { capabilitiesOf } from '../../functions/domain/v2/capabilities.ts';
import { actionFor } from '../../functions/domain/v2/operations.ts';
import { statesOf } from '../../functions/domain/v2/states.ts';

const home = demoHome('v2-user');
const byType = (type: string) => home.find((device) => device.type === type)!;
const SAMPLED = new Date('2026-12-04T01:02:03.456Z');
const operationsOf = (device: Device) =>
  Object.fromEntries(capabilitiesOf(device.actions).map((c) => [c.interface, c.supportedOperations]));

describe('capabilities', () => {
  it('gives each demo device the interfaces of its actions, with version v1 and both flag spellings', () => {
    expect(operationsOf(byType('curtain'))).toEqual({ Switch: ['On', 'Off'], MotionSwitch: ['Off'], Position: ['Adjust', 'Set'] });
    expect(operationsOf(byType('ac'))).toMatchObject({ Mode: ['Auto', 'Cool', 'Heat', 'Dry', 'Fan'] });
    expect(operationsOf(byType('tv'))).toMatchObject({
      Volume: ['Adjust', 'SetMax', 'SetMin', 'Set'],
      'Media.TVChannel': ['Next', 'Previous', 'Set'],
    });
    expect(operationsOf(byType('scene'))).toEqual({ Switch: ['On'] });
    const [capability] = capabilitiesOf(byType('light').actions);
    expect(capability).toEqual({
      interface: 'Switch',
      version: 'v1',
      supportedOperations: ['On', 'Off'],
      isRetrievable: true,
      retrievable: true,
      isProactivelyReported: false,
      proactivelyReported: false,
    });
  });

  it('offers FanSpeed gears where the device takes a number, and marks only readable interfaces proactively reported', () => {
    const fan = capabilitiesOf({ fanspeed: ['up', 'down', 'num'], media_control: ['play', 'pause'] }, true);
    expect(fan.find((c) => c.interface === 'FanSpeed')).toMatchObject({
      supportedOperations: ['Adjust', 'Set', 'SetLow', 'SetMedium', 'SetHigh'],
      isProactivelyReported: true,
    });
    expect(fan.find((c) => c.interface === 'PlaybackControl')).toMatchObject({ isRetrievable: false, isProactivelyReported: false });
  });
});

describe('states', () => {
  it('writes each value as v2 does, sampled in ISO 8601 UTC, and leaves out what v2 cannot hold', () => {
    expect(
      statesOf({ switch: 'on', brightness: 30, mode: 'cool', swing_mode: 'horizon.off', channel: 5, color: 0xff0000 }, SAMPLED),
    ).toEqual([
      { interface: 'Switch', value: 'On', timeOfSample: '2026-12-04T01:02:03.456Z' },
      { interface: 'Brightness', value: 30, timeOfSample: '2026-12-04T01:02:03.456Z' },
      { interface: 'Color', value: 0xff0000, timeOfSample: '2026-12-04T01:02:03.456Z' },
      { interface: 'Mode', value: 'Cool', timeOfSample: '2026-12-04T01:02:03.456Z' },
      { interface: 'SwingMode', value: 'HorizonOff', timeOfSample: '2026-12-04T01:02:03.456Z' },
      { interface: 'Media.TVChannel', value: { code: '5' }, timeOfSample: '2026-12-04T01:02:03.456Z' },
    ]);
    expect(statesOf({ switch: 'stop', brightness: null }, SAMPLED)).toEqual([]);
  });
});

describe('Interface.Operation to a v1 action', () => {
  const light = { ...byType('light'), state: { switch: 'on', brightness: 95, color_temperature: 50 } } as Device;
  it.each([
    ['Switch.On', {}, { property: 'switch', name: 'on' }],
    ['Rokid.Switch.Off', undefined, { property: 'switch', name: 'off' }],
    ['Brightness.Set', { value: 40 }, { property: 'brightness', name: 'num', value: 40 }],
    // Relative stays relative: the device cloud applies the step atomically, and clamps it (95 + 10 is 100 there).
    ['Brightness.Adjust', { delta: 10 }, { property: 'brightness', name: 'up', value: 10 }],
    ['Brightness.Adjust', { delta: -100 }, { property: 'brightness', name: 'down', value: 100 }],
    ['Brightness.SetMax', { delta: -1 }, { property: 'brightness', name: 'max' }],
    ['ColorTemperature.SetMin', {}, { property: 'color_temperature', name: 'min' }],
  ])('%s %j → %j', (directive, payload, action) => {
    expect(actionFor(light, directive, payload)).toEqual(action);
  });

  it.each([
    ['Media.TVChannel.Set', { tvChannel: { code: '12' } }, { property: 'channel', name: 'num', value: 12 }],
    ['Media.TVChannel.Previous', {}, { property: 'channel', name: 'prev' }],
    ['Volume.Adjust', { delta: -5 }, { property: 'volume', name: 'down', value: 5 }],
  ])('on the TV, %s %j → %j', (directive, payload, action) => {
    expect(actionFor(byType('tv'), directive, payload)).toEqual(action);
  });

  it('falls back to a value computed from the state only where the device has no step that way, clamped to the range', () => {
    const upOnly = { ...light, actions: { brightness: ['up', 'num'] } } as Device;
    expect(actionFor(upOnly, 'Brightness.Adjust', { delta: 7 })).toEqual({ property: 'brightness', name: 'up', value: 7 });
    expect(actionFor(upOnly, 'Brightness.Adjust', { delta: -200 })).toEqual({ property: 'brightness', name: 'num', value: 0 });
    const noState = { ...upOnly, state: {} } as Device;
    expect(() => actionFor(noState, 'Brightness.Adjust', { delta: -1 })).toThrow(
      expect.objectContaining({
        v2Name: 'E_NOT_SUPPORTED_DIRECTIVE',
        message: `Endpoint "${light.deviceId}" can only adjust brightness the other way.`,
      }),
    );
  });

  it.each([
    [byType('light'), 'Mode.Cool', {}, 'E_NOT_SUPPORTED_DIRECTIVE', 'Endpoint "vd-'],
    [byType('light'), 'Brightness.Frobnicate', {}, 'E_NOT_SUPPORTED_DIRECTIVE', 'does not support Brightness.Frobnicate'],
    [byType('light'), 'Switch', {}, 'E_NOT_SUPPORTED_DIRECTIVE', 'does not support'],
    [byType('scene'), 'Switch.Off', {}, 'E_NOT_SUPPORTED_DIRECTIVE', 'does not support Switch.Off'],
    [byType('light'), 'Brightness.Adjust', {}, 'E_VALUE_OUT_OF_RANGE', 'Adjust needs a numeric delta'],
    [byType('tv'), 'Media.TVChannel.Set', { tvChannel: { name: 'CCTV1' } }, 'E_CHANNEL_NOT_FOUND', 'by its number'],
  ])('refuses %#: %s with %s', (device, directive, payload, name, message) => {
    expect(() => actionFor(device, directive, payload)).toThrow(
      expect.objectContaining({ v2Name: name, message: expect.stringContaining(message) }),
    );
  });

  it('maps every listed operation of every demo device, with a payload of its kind, to an action v1 accepts', () => {
    const listed = home.flatMap((device) =>
      capabilitiesOf(device.actions).flatMap((c) => c.supportedOperations.map((op) => ({ device, directive: `${c.interface}.${op}` }))),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...listed),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: -100, max: 100 }),
        (pick, value, delta) => {
          const payload = { value, delta, tvChannel: { code: String(value + 1) } };
          const action = actionFor(pick.device, pick.directive, payload);
          expect(() => resolveAction(pick.device, action)).not.toThrow();
        },
      ),
    );
  });
});

describe('capabilities are built once per kind of device', () => {
  it('answers the same frozen array for the same actions, and another for other actions or another proactive flag', () => {
    const actions = () => ({ switch: ['on' as const, 'off' as const], brightness: ['num' as const] });
    const first = capabilitiesOf(actions());
    expect(capabilitiesOf(actions())).toBe(first);
    expect(Object.isFrozen(first) && first.every(Object.isFrozen)).toBe(true);
    expect(capabilitiesOf({ switch: ['on'] })).not.toBe(first);
    expect(capabilitiesOf(actions(), true)).not.toBe(first);
    expect(capabilitiesOf(actions(), true)[0]).toMatchObject({ isProactivelyReported: true });
  });
});
