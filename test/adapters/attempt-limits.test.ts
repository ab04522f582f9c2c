/**
 * Guesses sent together against DynamoDB (dynalite): an attempt is counted before the password is
 * checked, so however many arrive at once, from one address or many, no more reach the account service
 * than one by one would. Property-tested over the number of guesses, addresses and free failures.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoAttemptStore } from '../../functions/adapters/dynamodb/attempt-store.ts';
import { AttemptLimits } from '../../functions/domain/limits/attempt-limits.ts';
import { PasswordLogin } from '../../functions/domain/linking/password-login.ts';
import { systemClock } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { UpstreamError } from '../../functions/domain/upstream-error.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { testTable } from '../support/dynamodb.ts';
import { DEFAULT_LIMITS, InMemoryLinkStore } from '../support/in-memory.ts';

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable('attempts');
});
afterAll(() => table.close());

let accounts = 0;

/** A login whose account service refuses every password, counting how often it is asked. */
function world(freeFailures: number) {
  const asked = { count: 0 };
  const limits = new AttemptLimits({
    store: new DynamoAttemptStore(table.db, table.tableName),
    clock: systemClock,
    settings: { ...DEFAULT_LIMITS, freeFailures, delayBaseS: 600 },
    hmac: async (text) => text,
    metrics: { signInThrottled() {} },
  });
  const login = new PasswordLogin({
    upstream: {
      tokenByPassword: async () => {
        asked.count++;
        throw new UpstreamError('invalid_credentials', 'wrong');
      },
      tokenByValidateCode: async () => {
        throw new Error('unused');
      },
      userIdOf: async () => 'unused',
    },
    vault: new TokenVault({
      links: new InMemoryLinkStore(),
      clock: systemClock,
      settings: { userTokenTtlS: 60, refreshTokenTtlS: 60, refresh: DEFAULT_POLICY },
    }),
    limits,
  });
  return { asked, login, username: `victim-${process.pid}-${accounts++}` };
}

it('N guesses at once reach the account service at most as often as the free failures allow, from one address or many', {
  timeout: 120_000,
}, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 8 }),
      async (n, addresses, free) => {
        const w = world(free);
        const outcomes = await Promise.allSettled(
          Array.from({ length: n }, (_, i) =>
            w.login.login({ username: w.username, password: 'guess' }, { sourceIp: `198.51.100.${i % addresses}` }),
          ),
        );
        expect(w.asked.count).toBeLessThanOrEqual(free);
        expect(w.asked.count).toBe(Math.min(n, free));
        // Every guess got an answer: wrong, or refused with when to come back.
        for (const outcome of outcomes) {
          expect(outcome).toMatchObject({
            status: 'rejected',
            reason: { errorName: expect.stringMatching(/^E_DRIVER_(WRONG_USERNAME_PASSWORD|LOGIN_FAILED)$/) },
          });
        }
      },
    ),
    { numRuns: 25 },
  );
});

it('the same through the sign-in form, where 100 addresses each also have their own window', async () => {
  const w = world(5);
  await Promise.allSettled(
    Array.from({ length: 100 }, (_, i) => w.login.signIn({ username: w.username, password: 'guess' }, { sourceIp: `203.0.113.${i}` })),
  );
  expect(w.asked.count).toBe(5);
});
