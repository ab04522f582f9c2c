/**
 * Secrets from AWS Secrets Manager, cached for five minutes per container: a rotated secret takes effect
 * within that time, and a warm function makes no call. GetSecretValue goes out on the driver's own
 * transport (../aws/json-call.ts), not through the SDK's client: a container reads its secrets on its
 * first sign-in, and the client (through Powertools Parameters) made that first answer slower than the
 * calls themselves (docs/performance.md).
 */
import { DriverError } from '../../domain/errors.ts';
import { awsJsonCall } from '../aws/json-call.ts';

const MAX_AGE_MS = 300_000;
const SECRETS_MANAGER = { name: 'secretsmanager', envName: 'SECRETS_MANAGER', targetPrefix: 'secretsmanager', label: 'Secrets Manager' };

/** Each secret's value as last read, or the read under way; a failed read is not kept. */
const cache = new Map<string, { value: Promise<string | undefined>; readAt: number }>();

function getSecret(secretId: string): Promise<string | undefined> {
  const cached = cache.get(secretId);
  if (cached && Date.now() - cached.readAt < MAX_AGE_MS) return cached.value;
  const value = awsJsonCall(SECRETS_MANAGER, 'GetSecretValue', { SecretId: secretId }, { timeoutMs: 3000 }).then((answer) =>
    typeof answer['SecretString'] === 'string' ? answer['SecretString'] : undefined,
  );
  const entry = { value, readAt: Date.now() };
  cache.set(secretId, entry);
  value.catch(() => {
    if (cache.get(secretId) === entry) cache.delete(secretId);
  });
  return value;
}

/**
 * Starts reading secrets that a request is about to need, so that their reads overlap with other calls;
 * a failure is left for that request's own read to meet.
 */
export function preload(secretIds: (string | undefined)[]): void {
  for (const secretId of secretIds) if (secretId) getSecret(secretId).catch(() => undefined);
}

/** The secret's string value, resolved on first use. */
export const secretString = (secretId: string) => async (): Promise<string> => {
  const value = await getSecret(secretId);
  if (typeof value !== 'string' || value === '') {
    throw new DriverError('A driver secret is empty. Its operators must set it (see the deploy guide).');
  }
  return value;
};

/** The secret's value as a JSON object of strings. */
export const secretJson = (secretId: string) => async (): Promise<Record<string, string>> => {
  const value = await secretString(secretId)();
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, string>;
  } catch {
    // fall through to the operator-facing error
  }
  throw new DriverError('A driver secret is not a JSON object. Its operators must fix it (see the deploy guide).');
};
