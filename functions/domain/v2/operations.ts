/**
 * An `Interface.Operation` with its payload as the v1 action DeviceService runs, so v1 and v2 act on one state.
 *
 * Choices where the docs are silent, each a documented decision (docs/protocol-v2.md):
 * - Adjust is the device's own relative step, `up` or `down` by |delta|, wherever the device offers that
 *   direction: the device cloud applies it atomically and clamps it to the property's range, so concurrent
 *   Adjusts all count. Only a device without that step gets an absolute `num` computed from its state,
 *   clamped here. A missing `delta` has no direction: E_VALUE_OUT_OF_RANGE.
 * - Media.TVChannel's `Set` takes a numeric `code` (a channel by name alone is E_CHANNEL_NOT_FOUND).
 */
import type { ActionRequest } from '../protocol/action.ts';
import { type Device, isNumericProperty, NUMERIC_RANGES, type Property, type State } from '../protocol/device.ts';
import { capabilitiesOf } from './capabilities.ts';
import { V2Error } from './errors.ts';
import { FAN_GEARS, NUMERIC_INTERFACES, PLAYBACK_MODES, SWING } from './interface-names.ts';

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
  const step = delta >= 0 ? 'up' : 'down';
  const offered = device.actions[property] as readonly string[];
  // The device's own step: its cloud applies it atomically and clamps it, so concurrent Adjusts all count.
  if (offered.includes(step)) return { property, name: step, value: Math.abs(delta) };
  const current = device.state[property as keyof State];
  if (typeof current === 'number' && isNumericProperty(property) && offered.includes('num')) {
    // No step this way: a value computed from the state just read, which a concurrent change may overtake.
    const range = NUMERIC_RANGES[property];
    return { property, name: 'num', value: Math.min(range.max, Math.max(range.min, current + delta)) };
  }
  throw new V2Error('E_NOT_SUPPORTED_DIRECTIVE', `Endpoint "${device.deviceId}" can only adjust ${property} the other way.`);
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
