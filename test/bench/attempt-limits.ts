/**
 * `npm run bench:limits`: a day of online guessing at one account, simulated on a fast clock against
 * the embedded DynamoDB, with the settings the driver deploys with (functions/config.ts). 100 addresses
 * guess without pause, through the `login` command and through the sign-in form, each address trying
 * again the moment it is answered (a refusal's retry time, or at once). Meanwhile the real user signs in
 * now and then: through the form with the device cookie of an earlier sign-in, and through `login`.
 * Exits non-zero, naming the figure, when a goal is missed.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAttemptStore } from '../../functions/adapters/dynamodb/attempt-store.ts';
import { attemptLimitSettings } from '../../functions/composition/attempt-key.ts';
import { readConfig } from '../../functions/config.ts';
import { AttemptLimits } from '../../functions/domain/limits/attempt-limits.ts';
import { PasswordLogin, TooManyAttemptsError } from '../../functions/domain/linking/password-login.ts';
import type { Clock } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { UpstreamError } from '../../functions/domain/upstream-error.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { ensureTable, localClient, startDynamoDB } from '../../lib/local/dynamodb.ts';
import { InMemoryLinkStore } from '../support/in-memory.ts';
import { goal, settle } from './goals.ts';
import { readBenchArgs } from './usage.ts';

readBenchArgs(`usage: npm run bench:limits

Simulates a day of guessing at one account from 100 addresses (a fast clock, the real store) while the real
user signs in now and then; exits 1 when a goal is missed.`);

const DAY_S = 86_400;
const ADDRESSES = 100;
const USER_VISITS = 24;
const config = readConfig({ TABLE_NAME: 'limits-bench', CREDENTIALS_KEY_FILE: 'unused', USERCENTER_URL: 'http://127.0.0.1:9' });
const settings = attemptLimitSettings(config);

const dynamo = await startDynamoDB();
await ensureTable(dynamo.endpoint, 'limits-bench');
const db = DynamoDBDocumentClient.from(localClient(dynamo.endpoint));

async function simulate(path: 'login' | 'form') {
  let now = 1_800_000_000;
  const clock: Clock = { now: () => now };
  const limits = new AttemptLimits({
    store: new DynamoAttemptStore(db, 'limits-bench'),
    clock,
    settings,
    hmac: async (text) => text,
    metrics: { signInThrottled() {} },
  });
  const asked = { attacker: 0 };
  const login = new PasswordLogin({
    upstream: {
      tokenByPassword: async (_username, password) => {
        if (password !== 'the-real-one') {
          asked.attacker++;
          throw new UpstreamError('invalid_credentials', 'wrong');
        }
        return { accessToken: 'a', refreshToken: 'r', expiresIn: 3600, extra: {} };
      },
      tokenByValidateCode: async () => {
        throw new Error('unused');
      },
      userIdOf: async () => 'victim',
    },
    vault: new TokenVault({
      links: new InMemoryLinkStore(),
      clock,
      settings: { userTokenTtlS: 60, refreshTokenTtlS: 60, refresh: DEFAULT_POLICY },
    }),
    limits,
  });
  const username = `victim-${path}`;
  const guess = (address: number) =>
    path === 'login'
      ? login.login({ username, password: `guess-${address}` }, { sourceIp: `198.51.${address >> 8}.${address & 255}` })
      : login.signIn({ username, password: `guess-${address}` }, { sourceIp: `198.51.${address >> 8}.${address & 255}` });

  // The real user signed in once from this browser before the attack began.
  const { deviceCookie } = await login.signIn({ username, password: 'the-real-one' }, { sourceIp: '203.0.113.5' });
  const visits = Array.from({ length: USER_VISITS }, (_, i) => now + Math.floor(((i + 0.5) * DAY_S) / USER_VISITS));
  const user = { formRefused: 0, formMs: [] as number[], loginWaits: [] as number[], loginWaitOverDelay: 0 };
  const end = now + DAY_S;
  while (now < end) {
    const answers = await Promise.allSettled(Array.from({ length: ADDRESSES }, (_, a) => guess(a)));
    const retryAts = answers.flatMap((answer) =>
      answer.status === 'rejected' && answer.reason instanceof TooManyAttemptsError ? [answer.reason.retryAt] : [],
    );
    const next = retryAts.length === ADDRESSES ? Math.min(...retryAts) : now + 1;
    // The real user's visits that fall before the attackers' next burst.
    while (visits.length > 0 && visits[0]! < next) {
      now = visits.shift()!;
      const started = performance.now();
      const form = await login
        .signIn({ username, password: 'the-real-one' }, { sourceIp: '203.0.113.5', deviceCookie })
        .catch(() => undefined);
      user.formMs.push(performance.now() - started);
      if (!form) user.formRefused++;
      // Through login nothing tells the real user from a guesser: they are told how long to wait.
      const record = await new DynamoAttemptStore(db, 'limits-bench').read(`login#user#login\u0000${username}`);
      const refused = await login.login({ username, password: 'the-real-one' }, { sourceIp: '203.0.113.5' }).then(
        () => undefined,
        (error: unknown) => (error instanceof TooManyAttemptsError ? error : undefined),
      );
      if (refused) {
        user.loginWaits.push(refused.retryAt - now);
        if (refused.retryAt - now > limits.delayAfter(record?.failures ?? 0)) user.loginWaitOverDelay++;
      }
    }
    now = Math.max(next, now);
  }
  return { asked, user };
}

for (const path of ['login', 'form'] as const) {
  const { asked, user } = await simulate(path);
  const worstWait = Math.max(0, ...user.loginWaits);
  console.log(
    `${path}: ${asked.attacker} guesses reached the account service in a day from ${ADDRESSES} addresses; ` +
      `the real user's ${USER_VISITS} form sign-ins with the device cookie: ${USER_VISITS - user.formRefused} at once ` +
      `(slowest ${Math.max(...user.formMs).toFixed(1)} ms); through login they were told to wait ${user.loginWaits.length} times, at most ${worstWait} s`,
  );
  goal(`guesses per account per day, ${ADDRESSES} addresses, via ${path}`, asked.attacker, 'max', 100, 'guesses');
  goal(`real user with a device cookie refused while the attack runs (via ${path})`, user.formRefused, 'max', 0, 'sign-ins');
  goal(`real user via login told to wait longer than the current delay (via ${path})`, user.loginWaitOverDelay, 'max', 0, 'times');
  goal(`longest wait told to the real user via login (via ${path})`, worstWait, 'max', settings.delayCapS, 's');
}

db.destroy();
await dynamo.close();
settle('Sign-in throttling under a day of guessing (npm run bench:limits)');
