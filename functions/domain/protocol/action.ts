import * as v from 'valibot';
import { DriverError, ValueOutOfRangeError } from '../errors.ts';
import { type Device, describeRange, isNumericProperty, NUMERIC_RANGES, PROPERTIES, type Property } from './device.ts';

/** An action as Homebase sends it to /execute. */
export const ActionSchema = v.object({
  property: v.picklist(PROPERTIES),
  name: v.pipe(v.string(), v.nonEmpty()),
  value: v.optional(v.unknown()),
});
export type ActionRequest = v.InferOutput<typeof ActionSchema>;

/** An action the device declares, with a numeric value already checked against the property's range. */
export interface Action {
  property: Property;
  name: string;
  /** A number for `num` and for an explicit `up`/`down` step; free-form for media_control. */
  value?: unknown;
}

/** Steps that take an optional amount. */
const STEP_ACTIONS = new Set(['up', 'down', 'next', 'prev']);

/**
 * Checks an action against what the device declares and the protocol's ranges.
 * Homebase's CLI sends `num` values as numbers; other clients send numeric strings, so both are read.
 */
export function resolveAction(device: Device, request: ActionRequest): Action {
  const { property, name } = request;
  const declared: readonly string[] | undefined = device.actions[property];
  if (!declared?.includes(name)) {
    const supported = Object.entries(device.actions)
      .flatMap(([p, names]) => (names ?? []).map((n) => `${p}.${n}`))
      .join(', ');
    throw new DriverError(
      `Device "${device.deviceId}" does not support the action ${property}.${name}. It supports: ${supported || 'nothing'}.`,
    );
  }
  if (!isNumericProperty(property)) {
    return request.value === undefined ? { property, name } : { property, name, value: request.value };
  }
  if (name === 'num') {
    return { property, name, value: checkedNumber(property, request.value, 'num') };
  }
  if (STEP_ACTIONS.has(name) && request.value !== undefined && request.value !== null) {
    const step = toNumber(request.value);
    // A fractional step on a whole-number property (channel 1 + 0.5) would leave a state the protocol forbids.
    const whole = NUMERIC_RANGES[property].integer;
    if (step === undefined || step < 0 || (whole && !Number.isInteger(step))) {
      throw new ValueOutOfRangeError(`The step for ${property}.${name} must be a non-negative ${whole ? 'whole number' : 'number'}.`);
    }
    return { property, name, value: step };
  }
  return { property, name };
}

function checkedNumber(property: keyof typeof NUMERIC_RANGES, value: unknown, name: string): number {
  if (value === undefined || value === null || value === '') {
    throw new DriverError(`The action ${property}.${name} needs a value.`);
  }
  const range = NUMERIC_RANGES[property];
  const n = toNumber(value);
  if (n === undefined) {
    throw new DriverError(`The value of ${property}.${name} must be a number.`);
  }
  if (n < range.min || n > range.max || (range.integer && !Number.isInteger(n))) {
    throw new ValueOutOfRangeError(`${property} must be ${describeRange(range)}; got ${n}.`);
  }
  return n;
}

/**
 * Numbers are kept to six decimal places: no protocol property needs more, and a value like 5e-324
 * would otherwise reach the device cloud (DynamoDB refuses magnitudes below 1e-130).
 */
function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.round(n * 1e6) / 1e6 + 0 : undefined;
}
