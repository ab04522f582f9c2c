/** A command line the conformance run cannot take: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
