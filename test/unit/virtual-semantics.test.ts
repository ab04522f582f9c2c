import { describe, expect, it } from 'vitest';
import { applyAction } from '../../functions/adapters/device-cloud/virtual/semantics.ts';
import type { Action } from '../../functions/domain/protocol/action.ts';

const apply = (state: object, action: Action, random = () => 0.5) => applyAction(state, action, random);

describe('virtual device semantics', () => {
  it('sets switch, mode and swing_mode to the action name', () => {
    expect(apply({ switch: 'off' }, { property: 'switch', name: 'on' })).toEqual({ switch: 'on' });
    expect(apply({ switch: 'on' }, { property: 'switch', name: 'stop' })).toEqual({ switch: 'stop' });
    expect(apply({ mode: 'cool' }, { property: 'mode', name: 'heat' })).toEqual({ mode: 'heat' });
    expect(apply({}, { property: 'swing_mode', name: 'horizon.off' })).toEqual({ swing_mode: 'horizon.off' });
  });

  it('steps up and down by 10 by default, by the given step otherwise, within the range', () => {
    expect(apply({ brightness: 50 }, { property: 'brightness', name: 'up' })).toEqual({ brightness: 60 });
    expect(apply({ brightness: 50 }, { property: 'brightness', name: 'down', value: 5 })).toEqual({ brightness: 45 });
    expect(apply({ brightness: 95 }, { property: 'brightness', name: 'up' })).toEqual({ brightness: 100 });
    expect(apply({ volume: 3 }, { property: 'volume', name: 'down' })).toEqual({ volume: 0 });
  });

  it('moves temperature and channel by one', () => {
    expect(apply({ temperature: 26 }, { property: 'temperature', name: 'up' })).toEqual({ temperature: 27 });
    expect(apply({ channel: 5 }, { property: 'channel', name: 'next' })).toEqual({ channel: 6 });
    expect(apply({ channel: 1 }, { property: 'channel', name: 'prev' })).toEqual({ channel: 1 });
  });

  it('goes to the range ends on max and min, and to the value on num', () => {
    expect(apply({ humidity: 40 }, { property: 'humidity', name: 'max' })).toEqual({ humidity: 100 });
    expect(apply({ color_temperature: 40 }, { property: 'color_temperature', name: 'min' })).toEqual({ color_temperature: 0 });
    expect(apply({ position: 0 }, { property: 'position', name: 'num', value: 35 })).toEqual({ position: 35 });
  });

  it('starts from the range minimum when the state is unknown', () => {
    expect(apply({ volume: null }, { property: 'volume', name: 'up' })).toEqual({ volume: 10 });
  });

  it('cycles fan gears on fanspeed.switch', () => {
    expect(apply({ fanspeed: 50 }, { property: 'fanspeed', name: 'switch' })).toEqual({ fanspeed: 75 });
    expect(apply({ fanspeed: 100 }, { property: 'fanspeed', name: 'switch' })).toEqual({ fanspeed: 25 });
  });

  it('picks random colors and channels within their ranges', () => {
    expect(apply({}, { property: 'color', name: 'random' }, () => 0)).toEqual({ color: 0 });
    expect(apply({}, { property: 'color', name: 'random' }, () => 0.9999999999)).toEqual({ color: 0xffffff });
    expect(apply({}, { property: 'channel', name: 'random' }, () => 0.9999999999)).toEqual({ channel: 999 });
  });

  it('leaves state alone for ping, and keeps the other properties', () => {
    expect(apply({ switch: 'on', color: 5 }, { property: 'ping', name: 'trigger' })).toEqual({ switch: 'on', color: 5 });
    expect(apply({ switch: 'on', color: 5 }, { property: 'color', name: 'num', value: 9 })).toEqual({ switch: 'on', color: 9 });
  });
});
