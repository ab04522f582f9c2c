/**
 * The device model as the protocol digest (§2, §3) describes it, checked on what a driver lists. The
 * driver's own schema (functions/domain/protocol/device.ts) is that model; what rhome v1.2.0's schemas
 * refuse beyond it (some types, `mode: null`) is only a warning, since the digest wins.
 */
import * as v from 'valibot';
import { isRecord } from '../../functions/domain/json.ts';
import { DeviceSchema, isNumericProperty, NUMERIC_RANGES } from '../../functions/domain/protocol/device.ts';
import { describeDeviceIssue } from '../../functions/domain/protocol/validation.ts';

/** rhome v1.2.0's `type` enum (jsonschema/device.json). */
export const RHOME_TYPES: ReadonlySet<string> = new Set([
  'curtain',
  'light',
  'irController',
  'socket',
  'switch',
  'panel',
  'tv',
  'fan',
  'remoteController',
  'ac',
  'airPurifier',
  'scene',
  'cleanBot',
  'projector',
  'dehumidifier',
  'thermostat',
  'humidifier',
  'door',
  'carchair',
]);

export const deviceLabel = (device: unknown): string =>
  isRecord(device) && typeof device['deviceId'] === 'string' ? device['deviceId'] : '(no deviceId)';

/** Everything wrong with one listed device against the model, each naming the field. */
export function deviceProblems(device: unknown): string[] {
  const label = deviceLabel(device);
  const result = v.safeParse(DeviceSchema, device);
  return result.success ? [] : result.issues.map((issue) => `${label}: ${describeDeviceIssue(issue)}`);
}

/** State keys that belong to no action the device lists. */
export function stateKeyProblems(device: unknown): string[] {
  if (!isRecord(device) || !isRecord(device['state']) || !isRecord(device['actions'])) return [];
  const actions = device['actions'];
  return Object.keys(device['state'])
    .filter((key) => !Object.hasOwn(actions, key))
    .map((key) => `${deviceLabel(device)}: state.${key} belongs to no action the device lists`);
}

/** What rhome v1.2.0 would refuse although the digest allows it. */
export function rhomeWarnings(device: unknown): string[] {
  if (!isRecord(device)) return [];
  const label = deviceLabel(device);
  const warnings: string[] = [];
  if (typeof device['type'] === 'string' && !RHOME_TYPES.has(device['type']))
    warnings.push(`${label}: rhome v1.2.0 does not know type ${device['type']}`);
  if (isRecord(device['state']) && device['state']['mode'] === null) warnings.push(`${label}: rhome v1.2.0 refuses state.mode null`);
  return warnings;
}

/** An action whose result can be known in advance, and the state value it must leave. */
export function expectedState(property: string, name: string, value: unknown): unknown {
  if (property === 'switch' && (name === 'on' || name === 'off')) return name;
  if (name === 'num' && isNumericProperty(property)) return value;
  if ((property === 'mode' || property === 'swing_mode') && name !== 'num') return name;
  return undefined;
}

/** Actions that change nothing checkable, or that a run must not send to someone's home. */
export const EXEMPT = new Set(['random', 'ping', 'media_control']);

/** The value a `num` action is sent with: a valid value other than the current one, so a change shows. */
export function numValue(property: string, current: unknown): number | undefined {
  if (!isNumericProperty(property)) return undefined;
  const range = NUMERIC_RANGES[property];
  const max = Math.min(range.max, 100);
  const candidate = Math.round(range.min + (max - range.min) / 2);
  return candidate === current ? Math.min(max, candidate + 1) : candidate;
}

/** The action that puts a property back to a value read before it: a mode by its name, a number by `num`; none for anything else. */
export function putBackAction(property: string, value: unknown, names: readonly unknown[]) {
  if (typeof value === 'string' && names.includes(value)) return { property, name: value };
  if (typeof value === 'number' && names.includes('num')) return { property, name: 'num', value };
  return undefined;
}
