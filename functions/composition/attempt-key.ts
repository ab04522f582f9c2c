/**
 * The HMAC under which attempt counters name usernames and addresses. Deployed, its key is a random
 * secret the stack generates (LOGIN_LIMIT_KEY_ARN), read once per container; locally, LOGIN_LIMIT_KEY,
 * or a key of the process's own.
 */
import type { Config } from '../config.ts';
import type { AttemptLimitSettings } from '../domain/limits/attempt-limits.ts';
import { crypto } from '../runtime/builtins.ts';
import { onceAsync } from './once.ts';

const { createHmac, randomBytes } = crypto;

export function attemptKeyHmac(config: Config): (text: string) => Promise<string> {
  const arn = config.LOGIN_LIMIT_KEY_ARN;
  const key = onceAsync(async () =>
    arn
      ? (await import('../adapters/secrets/secrets.ts')).secretString(arn)()
      : (config.LOGIN_LIMIT_KEY ?? randomBytes(32).toString('base64url')),
  );
  return async (text) =>
    createHmac('sha256', await key())
      .update(text)
      .digest('base64url');
}

/** Sign-in throttling's settings, from the LOGIN_* keys (docs/configuration.md). */
export const attemptLimitSettings = (config: Config): AttemptLimitSettings => ({
  freeFailures: config.LOGIN_FREE_FAILURES,
  delayBaseS: config.LOGIN_DELAY_BASE_S,
  delayCapS: config.LOGIN_DELAY_CAP_S,
  deviceFailures: config.LOGIN_DEVICE_FAILURES,
  perIp: config.LOGIN_LIMIT_PER_IP,
  windowS: config.LOGIN_LIMIT_WINDOW_S,
});
