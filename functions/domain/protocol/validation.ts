import * as v from 'valibot';
import { DriverError } from '../errors.ts';
import { DEVICE_TYPES } from './device.ts';

/**
 * Parses untrusted input, or throws an E_DRIVER_ERROR that names the first bad field and what it
 * should be. The value received is never echoed: it may be somebody's token.
 */
export function parseOrThrow<const S extends v.GenericSchema>(schema: S, input: unknown, what: string, naming?: Naming): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw new DriverError(`Invalid ${what}: ${describeIssue(issue, naming)}`);
}

export interface Naming {
  /** What a problem with the input as a whole is about. */
  root?: string;
  /** Put before field paths, for input nested in the request (a command's `params`). */
  prefix?: string;
}

export function describeIssue(issue: v.BaseIssue<unknown>, { root = 'the body', prefix }: Naming = {}): string {
  const path = v.getDotPath(issue) ?? '';
  const where = path === '' ? (prefix ?? root) : prefix ? `${prefix}.${path}` : path;
  if (issue.kind === 'schema' && issue.received === 'undefined') return `${where} is required`;
  if (issue.expected === 'never') return `${where} is not allowed`;
  if (issue.expected === '!0') return `${where} must not be empty`;
  // Our own messages are safe to show; valibot's ("Invalid type: Expected … but received …") echo the value.
  if (!issue.message.startsWith('Invalid ')) return `${where}: ${issue.message}`;
  const expected = (issue.expected ?? 'a valid value').replace(/^\((.*)\)$/, '$1');
  return `${where}: expected ${expected}`;
}

/** How many of the type names a message lists before pointing to the docs, which list them all. */
const TYPES_SHOWN = 5;

/**
 * A problem with a device a device cloud returned, naming the field and the rule. A wrong type is the common
 * mistake (`outlet` for `socket`), so it alone quotes what was sent: a type name is never a secret.
 */
export function describeDeviceIssue(issue: v.BaseIssue<unknown>): string {
  if (v.getDotPath(issue) !== 'type' || issue.type !== 'picklist') return describeIssue(issue, { root: 'the device' });
  const sent = typeof issue.input === 'string' ? `type ${JSON.stringify(issue.input.slice(0, 40))}` : 'type';
  const shown = DEVICE_TYPES.slice(0, TYPES_SHOWN).join(', ');
  return `${sent} is not a Homebase type (${shown}, …; docs/device-cloud.md lists all ${DEVICE_TYPES.length})`;
}
