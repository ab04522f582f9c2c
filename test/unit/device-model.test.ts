import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { DEVICE_TYPES, DeviceSchema, PROPERTIES } from '../../functions/domain/protocol/device.ts';
import { describeIssue } from '../../functions/domain/protocol/validation.ts';

const light = {
  deviceId: 'd1',
  name: 'Lamp',
  type: 'light',
  actions: { switch: ['on', 'off'], brightness: ['num'] },
  state: { switch: 'on', brightness: 10 },
};

/** The first problem valibot finds, as the driver words it; undefined when the device is valid. */
function problem(device: unknown): string | undefined {
  const result = v.safeParse(DeviceSchema, device, { abortEarly: true });
  return result.success ? undefined : describeIssue(result.issues[0]);
}

describe('device model', () => {
  it('knows every current device type and the 14 properties', () => {
    expect(DEVICE_TYPES).toHaveLength(41); // the doc's 40 names plus `box`, listed beside its successor `tvBox`
    expect(new Set(DEVICE_TYPES).size).toBe(DEVICE_TYPES.length);
    expect(PROPERTIES).toHaveLength(14);
  });

  it('accepts every device of the demo home', () => {
    for (const device of demoHome('someone')) expect(problem(device)).toBeUndefined();
  });

  it('accepts the optional fields and drops unknown ones', () => {
    const device = {
      ...light,
      offline: false,
      deviceInfo: { ip: '10.0.0.2' },
      execDelay: 150,
      roomName: '客厅',
      homeName: '我的家',
      secretKey: 'must not reach Homebase',
    };
    const parsed = v.parse(DeviceSchema, device);
    expect(parsed).not.toHaveProperty('secretKey');
    expect(parsed.deviceInfo).toEqual({ ip: '10.0.0.2' });
  });

  it.each([
    ['no deviceId', { ...light, deviceId: undefined }, 'deviceId is required'],
    ['a blank name', { ...light, name: '  ' }, 'name must not be empty'],
    ['an unknown type', { ...light, type: 'toaster' }, 'type: expected "light" |'],
    ['no actions', { ...light, actions: undefined }, 'actions is required'],
    ['no state', { ...light, state: undefined }, 'state is required'],
    ['an unknown property', { ...light, actions: { warp: ['on'] } }, 'actions.warp is not allowed'],
    [
      'an action name the property lacks',
      { ...light, actions: { switch: ['toggle'] } },
      'actions.switch.0: expected "on" | "off" | "stop"',
    ],
    ['an empty action list', { ...light, actions: { switch: [] } }, 'actions.switch must not be empty'],
    ['brightness above 100', { ...light, state: { brightness: 101 } }, 'state.brightness: expected a number from 0 to 100'],
    ['brightness below 0', { ...light, state: { brightness: -1 } }, 'state.brightness: expected a number from 0 to 100'],
    ['color above 0xFFFFFF', { ...light, state: { color: 16777216 } }, 'state.color: expected an integer from 0 to 16777215'],
    ['a fractional color', { ...light, state: { color: 1.5 } }, 'state.color: expected an integer from 0 to 16777215'],
    ['channel 0', { ...light, state: { channel: 0 } }, 'state.channel: expected an integer from 1 up'],
    ['an unknown mode', { ...light, state: { mode: 'turbo' } }, 'state.mode: expected "auto" |'],
    ['a state for a stateless property', { ...light, state: { ping: 'x' } }, 'state.ping is not allowed'],
    ['a string number', { ...light, state: { volume: '10' } }, 'state.volume: expected number'],
    ['offline as a string', { ...light, offline: 'no' }, 'offline: expected boolean'],
    ['a negative execDelay', { ...light, execDelay: -5 }, 'execDelay: expected >=0'],
  ])('rejects a device with %s', (_case, device, message) => {
    expect(problem(device)).toContain(message);
  });

  it('accepts range edges and null state values', () => {
    const edges = { brightness: 0, volume: 100, color: 16777215, channel: 1, mode: null, switch: null };
    expect(problem({ ...light, state: edges })).toBeUndefined();
  });
});
