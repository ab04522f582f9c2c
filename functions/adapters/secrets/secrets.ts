/**
 * Secrets from AWS Secrets Manager through Powertools Parameters, cached for five minutes per
 * container: a rotated secret takes effect within that time, and a warm function makes no call.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DriverError } from '../../domain/errors.ts';
import { lambdaClientSettings } from '../aws/client-settings.ts';
import { collectNodeStream } from '../aws/stream-collector.ts';

const MAX_AGE_S = 300;

/** One provider, and so one cache and one client, per container; built on the first secret asked for. */
let provider: SecretsProvider | undefined;
const getSecret = (secretId: string, options: { maxAge: number }) => {
  provider ??= new SecretsProvider({ clientConfig: { ...lambdaClientSettings('SECRETS_MANAGER'), streamCollector: collectNodeStream } });
  return provider.get(secretId, options);
};

/** The secret's string value, resolved on first use. */
export const secretString = (secretId: string) => async (): Promise<string> => {
  const value = await getSecret(secretId, { maxAge: MAX_AGE_S });
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
