/** A command line a tool cannot take: printed with its usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
