/** A JSON object (not null, not an array): what every edge checks before reading a field of untrusted input. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
