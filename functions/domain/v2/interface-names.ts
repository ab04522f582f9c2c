/**
 * The names v1 and v2 share (the digest's v1 → v2 tables): which v1 property each percentage-like interface
 * stands for, and how v1's mode, swing and playback names read in v2. capabilities.ts, states.ts and
 * operations.ts map through them, both ways.
 */
import type { Property } from '../protocol/device.ts';

/** Percentage-like interfaces and the v1 property behind each. */
export const NUMERIC_INTERFACES: Record<string, Property> = {
  Brightness: 'brightness',
  Humidity: 'humidity',
  Temperature: 'temperature',
  Volume: 'volume',
  ColorTemperature: 'color_temperature',
  Position: 'position',
  FanSpeed: 'fanspeed',
};
/**
 * FanSpeed's gears are percentages: SetLow 25, SetMedium 50, SetHigh 100 (the virtual cloud's gears are
 * 25/50/75/100); they are offered where the device takes `fanspeed.num`.
 */
export const FAN_GEARS: Record<string, number> = { SetLow: 25, SetMedium: 50, SetHigh: 100 };

export const SWING: Record<string, string> = {
  auto: 'Auto',
  on: 'On',
  off: 'Off',
  horizon: 'Horizon',
  'horizon.off': 'HorizonOff',
  vertical: 'Vertical',
  'vertical.off': 'VerticalOff',
};
export const PLAYBACK_MODES: Record<string, string> = { RepeatAll: 'repeat', RepeatOne: 'repeatOne', Shuffle: 'shuffle' };
export const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
