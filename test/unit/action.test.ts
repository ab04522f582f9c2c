import { describe, expect, it } from 'vitest';
import { resolveAction } from '../../functions/domain/protocol/action.ts';
import type { Device } from '../../functions/domain/protocol/device.ts';

const tv: Device = {
  deviceId: 'tv-1',
  name: 'TV',
  type: 'tv',
  actions: { switch: ['on', 'off'], volume: ['up', 'down', 'num'], channel: ['next', 'num'], color: ['num'] },
  state: { switch: 'off', volume: 10, channel: 3 },
};

describe('resolveAction', () => {
  it('passes a declared action through', () => {
    expect(resolveAction(tv, { property: 'switch', name: 'on' })).toEqual({ property: 'switch', name: 'on' });
  });

  it('reads num values given as numbers or numeric strings', () => {
    expect(resolveAction(tv, { property: 'volume', name: 'num', value: 55 })).toEqual({ property: 'volume', name: 'num', value: 55 });
    expect(resolveAction(tv, { property: 'volume', name: 'num', value: '55' })).toMatchObject({ value: 55 });
  });

  it('accepts the edges of each range', () => {
    expect(resolveAction(tv, { property: 'volume', name: 'num', value: 0 })).toMatchObject({ value: 0 });
    expect(resolveAction(tv, { property: 'volume', name: 'num', value: 100 })).toMatchObject({ value: 100 });
    expect(resolveAction(tv, { property: 'color', name: 'num', value: 16777215 })).toMatchObject({ value: 16777215 });
    expect(resolveAction(tv, { property: 'channel', name: 'num', value: 1 })).toMatchObject({ value: 1 });
  });

  it('keeps an explicit step for up/down and next/prev', () => {
    expect(resolveAction(tv, { property: 'volume', name: 'up', value: 5 })).toEqual({ property: 'volume', name: 'up', value: 5 });
    expect(resolveAction(tv, { property: 'channel', name: 'next' })).toEqual({ property: 'channel', name: 'next' });
  });

  it.each([
    [
      'an action the device does not declare',
      { property: 'brightness', name: 'up' },
      'E_DRIVER_ERROR',
      'does not support the action brightness.up',
    ],
    [
      'an undeclared name of a declared property',
      { property: 'switch', name: 'stop' },
      'E_DRIVER_ERROR',
      'It supports: switch.on, switch.off',
    ],
    [
      'volume above 100',
      { property: 'volume', name: 'num', value: 101 },
      'E_VALUE_OUT_OF_RANGE',
      'volume must be a number from 0 to 100; got 101',
    ],
    [
      'volume below 0',
      { property: 'volume', name: 'num', value: -1 },
      'E_VALUE_OUT_OF_RANGE',
      'volume must be a number from 0 to 100; got -1',
    ],
    [
      'color above 0xFFFFFF',
      { property: 'color', name: 'num', value: 16777216 },
      'E_VALUE_OUT_OF_RANGE',
      'color must be an integer from 0 to 16777215',
    ],
    [
      'a fractional channel',
      { property: 'channel', name: 'num', value: 2.5 },
      'E_VALUE_OUT_OF_RANGE',
      'channel must be an integer from 1 up',
    ],
    ['channel 0', { property: 'channel', name: 'num', value: 0 }, 'E_VALUE_OUT_OF_RANGE', 'got 0'],
    ['num without a value', { property: 'volume', name: 'num' }, 'E_DRIVER_ERROR', 'volume.num needs a value'],
    ['a non-numeric num value', { property: 'volume', name: 'num', value: 'loud' }, 'E_DRIVER_ERROR', 'must be a number'],
    [
      'a negative step',
      { property: 'volume', name: 'up', value: -3 },
      'E_VALUE_OUT_OF_RANGE',
      'The step for volume.up must be a non-negative number.',
    ],
    [
      'a fractional channel step',
      { property: 'channel', name: 'next', value: 0.5 },
      'E_VALUE_OUT_OF_RANGE',
      'The step for channel.next must be a non-negative whole number.',
    ],
  ] as const)('refuses %s', (_case, action, errorName, message) => {
    expect(() => resolveAction(tv, action)).toThrowError(expect.objectContaining({ errorName, message: expect.stringContaining(message) }));
  });
});
