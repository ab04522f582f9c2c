/**
 * The v1 device model as v2 interfaces, both ways (the digest's v1 → v2 tables, and contradictions 20 and 21):
 * a device's actions become capabilities, its state becomes interface states, and an `Interface.Operation`
 * with its payload becomes the v1 action DeviceService runs, so v1 and v2 act on one state.
 *
 * Choices where the docs are silent, each a documented decision:
 * - FanSpeed's gears are percentages: SetLow 25, SetMedium 50, SetHigh 100 (the virtual cloud's gears are
 *   25/50/75/100); they are offered where the device takes `fanspeed.num`.
 * - Media.TVChannel's state is the descriptor `{code}` with the channel number as a string; `Set` takes a
 *   numeric `code` (a channel by name alone is E_CHANNEL_NOT_FOUND: v1 channels are numbers).
 * - Adjust applies `delta` to the current state, clamped to the property's range; with no state to start
 *   from it becomes a v1 `up`/`down` step. A missing `delta` has no direction: E_VALUE_OUT_OF_RANGE.
 */
import type { ActionRequest } from '../protocol/action.ts';
import { type Actions, type Device, isNumericProperty, NUMERIC_RANGES, type Property, type State } from '../protocol/device.ts';
import { V2Error } from './errors.ts';

export interface Capability {
  interface: string;
  version: 'v1';
  supportedOperations: string[];
  // Both spellings, with equal values (contradiction 1).
  isRetrievable: boolean;
  retrievable: boolean;
  isProactivelyReported: boolean;
  proactivelyReported: boolean;
}

export interface InterfaceState {
  interface: string;
  value: unknown;
  timeOfSample: string;
}

/** Percentage-like interfaces and the v1 property behind each. */
const NUMERIC_INTERFACES: Record<string, Property> = {
  Brightness: 'brightness',
  Humidity: 'humidity',
  Temperature: 'temperature',
  Volume: 'volume',
  ColorTemperature: 'color_temperature',
  Position: 'position',
  FanSpeed: 'fanspeed',
};
const NUMERIC_OPERATIONS: Record<string, string> = { num: 'Set', up: 'Adjust', down: 'Adjust', max: 'SetMax', min: 'SetMin' };
const FAN_GEARS: Record<string, number> = { SetLow: 25, SetMedium: 50, SetHigh: 100 };

const SWING: Record<string, string> = {
  auto: 'Auto',
  on: 'On',
  off: 'Off',
  horizon: 'Horizon',
  'horizon.off': 'HorizonOff',
  vertical: 'Vertical',
  'vertical.off': 'VerticalOff',
};
const PLAYBACK_MODES: Record<string, string> = { RepeatAll: 'repeat', RepeatOne: 'repeatOne', Shuffle: 'shuffle' };
const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const unique = (names: string[]) => [...new Set(names)];

/**
 * Capabilities by the actions that give them: a home's devices share a few sets of actions, and building
 * them again for each of 500 devices was most of what Discover added to /list (`npm run bench:lambda`). The
 * arrays are frozen, since endpoints share them. Bounded: a cloud with more kinds simply builds more often.
 */
const built = new Map<string, readonly Capability[]>();
const MAX_KINDS = 256;

/** The capabilities a device's actions give it; `proactive`: whether changes reach Rokid as events. */
export function capabilitiesOf(actions: Actions, proactive = false): readonly Capability[] {
  const key = `${proactive}${JSON.stringify(actions)}`;
  let capabilities = built.get(key);
  if (capabilities === undefined) {
    if (built.size >= MAX_KINDS) built.clear();
    capabilities = Object.freeze(buildCapabilities(actions, proactive).map((c) => Object.freeze(c)));
    built.set(key, capabilities);
  }
  return capabilities;
}

function buildCapabilities(actions: Actions, proactive: boolean): Capability[] {
  const capability = (name: string, operations: string[], retrievable: boolean): Capability => ({
    interface: name,
    version: 'v1',
    supportedOperations: unique(operations),
    isRetrievable: retrievable,
    retrievable,
    isProactivelyReported: proactive && retrievable,
    proactivelyReported: proactive && retrievable,
  });
  const out: Capability[] = [];
  const has = (property: Property, name: string) => (actions[property] as readonly string[] | undefined)?.includes(name) ?? false;
  const switches = (['on', 'off'] as const).filter((name) => has('switch', name)).map(capitalized);
  if (switches.length > 0) out.push(capability('Switch', switches, true));
  if (has('switch', 'stop')) out.push(capability('MotionSwitch', ['Off'], false));
  for (const [name, property] of Object.entries(NUMERIC_INTERFACES)) {
    const names = (actions[property] as readonly string[] | undefined) ?? [];
    const operations = names.flatMap((n) => (NUMERIC_OPERATIONS[n] ? [NUMERIC_OPERATIONS[n]] : []));
    if (name === 'FanSpeed' && names.includes('num')) operations.push(...Object.keys(FAN_GEARS));
    if (operations.length > 0) out.push(capability(name, operations, true));
  }
  const color = [...(has('color', 'num') ? ['Set'] : []), ...(has('color', 'random') ? ['SetRandom'] : [])];
  if (color.length > 0) out.push(capability('Color', color, true));
  if (actions.mode) out.push(capability('Mode', actions.mode.map(capitalized), true));
  if (actions.swing_mode)
    out.push(
      capability(
        'SwingMode',
        actions.swing_mode.map((name) => SWING[name]!),
        true,
      ),
    );
  const channel = [
    ...(has('channel', 'next') ? ['Next'] : []),
    ...(has('channel', 'prev') ? ['Previous'] : []),
    ...(has('channel', 'num') ? ['Set'] : []),
  ];
  if (channel.length > 0) out.push(capability('Media.TVChannel', channel, true));
  const playback = (['play', 'pause'] as const).filter((name) => has('media_control', name)).map(capitalized);
  if (playback.length > 0) out.push(capability('PlaybackControl', playback, false));
  const music = [
    ...(has('media_control', 'stop') ? ['Stop'] : []),
    ...(has('media_control', 'next') ? ['Next'] : []),
    ...(has('media_control', 'previous') ? ['Previous'] : []),
  ];
  if (music.length > 0) out.push(capability('Media.Music', music, false));
  if (has('media_control', 'playmode')) out.push(capability('PlaybackMode', Object.keys(PLAYBACK_MODES), false));
  return out;
}

/** A device's state as interface states, sampled at `sampledAt`; a value v2 cannot hold is left out. */
export function statesOf(state: State, sampledAt: Date | string): InterfaceState[] {
  const timeOfSample = typeof sampledAt === 'string' ? sampledAt : sampledAt.toISOString();
  const out: InterfaceState[] = [];
  const push = (name: string, value: unknown) => out.push({ interface: name, value, timeOfSample });
  if (state.switch === 'on' || state.switch === 'off') push('Switch', capitalized(state.switch));
  for (const [name, property] of Object.entries(NUMERIC_INTERFACES)) {
    const value = state[property as keyof State];
    if (typeof value === 'number') push(name, value);
  }
  if (typeof state.color === 'number') push('Color', state.color);
  if (state.mode) push('Mode', capitalized(state.mode));
  if (state.swing_mode) push('SwingMode', SWING[state.swing_mode]);
  if (typeof state.channel === 'number') push('Media.TVChannel', { code: String(state.channel) });
  return out;
}

/**
 * The v1 action for `Interface.Operation` on this device. Refused with E_NOT_SUPPORTED_DIRECTIVE when the
 * device does not list it, and E_VALUE_OUT_OF_RANGE (or E_CHANNEL_NOT_FOUND) when its payload cannot be used;
 * a numeric value out of its range is refused by the v1 checks the action then goes through.
 */
export function actionFor(device: Device, directive: string, payload: unknown): ActionRequest {
  const dot = directive.lastIndexOf('.');
  const interfaceName = directive.slice(0, dot).replace(/^Rokid\./, '');
  const operation = directive.slice(dot + 1);
  const listed = capabilitiesOf(device.actions).find((c) => c.interface === interfaceName);
  if (dot <= 0 || !listed?.supportedOperations.includes(operation)) {
    throw new V2Error('E_NOT_SUPPORTED_DIRECTIVE', `Endpoint "${device.deviceId}" does not support ${interfaceName}.${operation}.`);
  }
  const body = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const property = NUMERIC_INTERFACES[interfaceName];
  if (property) return numericAction(device, interfaceName, property, operation, body);
  switch (interfaceName) {
    case 'Switch':
      return { property: 'switch', name: operation.toLowerCase() };
    case 'MotionSwitch':
      return { property: 'switch', name: 'stop' };
    case 'Color':
      return operation === 'SetRandom'
        ? { property: 'color', name: 'random' }
        : { property: 'color', name: 'num', value: setValue(body, 'Color') };
    case 'Mode':
      return { property: 'mode', name: operation.toLowerCase() };
    case 'SwingMode':
      return { property: 'swing_mode', name: Object.entries(SWING).find(([, v2]) => v2 === operation)![0] };
    case 'Media.TVChannel':
      return channelAction(operation, body);
    case 'PlaybackControl':
      return { property: 'media_control', name: operation.toLowerCase() };
    case 'Media.Music':
      return { property: 'media_control', name: operation.toLowerCase() };
    default:
      return { property: 'media_control', name: 'playmode', value: PLAYBACK_MODES[operation] };
  }
}

/** Set's `{value}`: a number, or the directive has nothing to set. */
function setValue(body: Record<string, unknown>, interfaceName: string): number {
  const value = body['value'];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new V2Error('E_VALUE_OUT_OF_RANGE', `${interfaceName}.Set needs a numeric payload.value.`);
  }
  return value;
}

function numericAction(
  device: Device,
  interfaceName: string,
  property: Property,
  operation: string,
  body: Record<string, unknown>,
): ActionRequest {
  if (operation === 'Set') return { property, name: 'num', value: setValue(body, interfaceName) };
  if (operation === 'SetMax' || operation === 'SetMin') return { property, name: operation === 'SetMax' ? 'max' : 'min' };
  if (operation in FAN_GEARS) return { property, name: 'num', value: FAN_GEARS[operation] };
  const delta = body['delta'];
  if (typeof delta !== 'number' || !Number.isFinite(delta)) {
    throw new V2Error('E_VALUE_OUT_OF_RANGE', `${operation} needs a numeric delta: without one it has no direction.`);
  }
  const current = device.state[property as keyof State];
  if (typeof current === 'number' && isNumericProperty(property) && (device.actions[property] as readonly string[]).includes('num')) {
    const range = NUMERIC_RANGES[property];
    return { property, name: 'num', value: Math.min(range.max, Math.max(range.min, current + delta)) };
  }
  const step = delta >= 0 ? 'up' : 'down';
  if (!(device.actions[property] as readonly string[]).includes(step)) {
    throw new V2Error('E_NOT_SUPPORTED_DIRECTIVE', `Endpoint "${device.deviceId}" can only adjust ${property} the other way.`);
  }
  return { property, name: step, value: Math.abs(delta) };
}

function channelAction(operation: string, body: Record<string, unknown>): ActionRequest {
  if (operation === 'Next') return { property: 'channel', name: 'next' };
  if (operation === 'Previous') return { property: 'channel', name: 'prev' };
  const channel = body['tvChannel'];
  const code = typeof channel === 'object' && channel !== null ? (channel as Record<string, unknown>)['code'] : undefined;
  if ((typeof code !== 'string' && typeof code !== 'number') || !/^\d+$/.test(String(code))) {
    throw new V2Error(
      'E_CHANNEL_NOT_FOUND',
      'Set a channel by its number, as tvChannel.code: this device knows its channels by number only.',
    );
  }
  return { property: 'channel', name: 'num', value: Number(code) };
}
