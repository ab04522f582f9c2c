import * as v from 'valibot';
import { DriverError } from '../errors.ts';

/**
 * Parses untrusted input, or throws an E_DRIVER_ERROR that names the first bad field and what it
 * should be. The value received is never echoed: it may be somebody's token.
 */
export function parseOrThrow<const S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  what: string,
  root = 'the body',
): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return result.output;
  const [issue] = result.issues;
  throw new DriverError(`Invalid ${what}: ${describeIssue(issue, root)}`);
}

/** `root` names what the path is relative to, for messages about a nested object such as a command's params. */
export function describeIssue(issue: v.BaseIssue<unknown>, root = 'the body'): string {
  const path = v.getDotPath(issue) ?? '';
  const where = path === '' ? root : root === 'the body' ? path : `${root}.${path}`;
  if (issue.kind === 'schema' && issue.received === 'undefined') return `${where} is required`;
  if (issue.expected === 'never') return `${where} is not allowed`;
  if (issue.expected === '!0') return `${where} must not be empty`;
  // Our own messages are safe to show; valibot's ("Invalid type: Expected … but received …") echo the value.
  if (!issue.message.startsWith('Invalid ')) return `${where}: ${issue.message}`;
  const expected = (issue.expected ?? 'a valid value').replace(/^\((.*)\)$/, '$1');
  return `${where}: expected ${expected}`;
}
