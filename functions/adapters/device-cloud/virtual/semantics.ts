/**
 * How the simulated vendor cloud changes a device's state for each action. The driver has already
 * checked that the device declares the action and that a `num` value is in range.
 */
import type { Action } from '../../../domain/protocol/action.ts';
import { isNumericProperty, NUMERIC_RANGES, type NumericProperty, type State } from '../../../domain/protocol/device.ts';

/** Homebase v1 leaves the step of up/down open; v2 uses 10 for percentages. Temperature moves by a degree. */
const DEFAULT_STEP: Partial<Record<NumericProperty, number>> = { temperature: 1, channel: 1 };
/** `fanspeed.switch` cycles through gears. */
const FAN_GEARS = [25, 50, 75, 100];
/** `random` on a channel picks from the channels a simple TV has. */
const RANDOM_CHANNEL_MAX = 999;

export type Random = () => number;

export function applyAction(state: State, action: Action, random: Random = Math.random): State {
  const { property, name } = action;
  if (property === 'switch') return { ...state, switch: name as 'on' | 'off' | 'stop' };
  if (property === 'mode') return { ...state, mode: name as NonNullable<State['mode']> };
  if (property === 'swing_mode') return { ...state, swing_mode: name as NonNullable<State['swing_mode']> };
  if (!isNumericProperty(property)) return { ...state }; // ping and media_control carry no state
  return { ...state, [property]: nextNumber(property, state[property] ?? undefined, action, random) };
}

function nextNumber(property: NumericProperty, current: number | undefined, action: Action, random: Random): number {
  const range = NUMERIC_RANGES[property];
  const step = typeof action.value === 'number' ? action.value : (DEFAULT_STEP[property] ?? 10);
  const from = current ?? range.min;
  const clamp = (n: number) => Math.min(range.max, Math.max(range.min, n));
  switch (action.name) {
    case 'num':
      return action.value as number;
    case 'up':
    case 'next':
      return clamp(from + step);
    case 'down':
    case 'prev':
      return clamp(from - step);
    case 'max':
      return range.max;
    case 'min':
      return range.min;
    case 'switch':
      return FAN_GEARS.find((gear) => gear > from) ?? FAN_GEARS[0]!;
    case 'random': {
      const max = property === 'channel' ? RANDOM_CHANNEL_MAX : range.max;
      return range.min + Math.floor(random() * (max - range.min + 1));
    }
    default:
      return from;
  }
}
