import { describe, expect, it } from 'vitest';
import { loginCommand, PasswordLogin } from '../../functions/domain/linking/password-login.ts';
import type { PasswordUpstream } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { UpstreamError, type UpstreamFailure } from '../../functions/domain/upstream-error.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { FakeClock, FROM, InMemoryLinkStore, testLimits } from '../support/in-memory.ts';

/** An upstream that knows one user and fails as told. */
function upstream(failure?: UpstreamFailure): PasswordUpstream & { calls: string[] } {
  const calls: string[] = [];
  const answer = async () => {
    if (failure) throw new UpstreamError(failure, 'upstream says no', { upstreamCode: '7' });
    return { accessToken: 'access', refreshToken: 'refresh', expiresIn: 60, extra: {} };
  };
  return {
    calls,
    tokenByPassword: async (username, password) => {
      calls.push(`password:${username}:${password}`);
      return answer();
    },
    tokenByValidateCode: async (username, code) => {
      calls.push(`code:${username}:${code}`);
      return answer();
    },
    userIdOf: async (accessToken) => {
      calls.push(`user:${accessToken}`);
      return 'vendor-42';
    },
  };
}

const vault = () =>
  new TokenVault({
    links: new InMemoryLinkStore(),
    clock: new FakeClock(),
    settings: { userTokenTtlS: 100, refreshTokenTtlS: 200, refresh: DEFAULT_POLICY },
  });

describe('login command', () => {
  it('signs in with a password, resolves the user id and links the account', async () => {
    const up = upstream();
    const login = loginCommand(new PasswordLogin({ upstream: up, vault: vault(), limits: testLimits() }));
    const auth = await login({ username: 'demo', password: 'pw' }, FROM);
    expect(up.calls).toEqual(['password:demo:pw', 'user:access']);
    expect(auth).toMatchObject({ userId: 'vendor-42', expiresIn: 100 });
    expect(auth.userToken).toMatch(/^hbu\./);
    expect(auth.refreshToken).toMatch(/^hbr\./);
  });

  it('signs in with a validate code', async () => {
    const up = upstream();
    await loginCommand(new PasswordLogin({ upstream: up, vault: vault(), limits: testLimits() }))(
      { username: 'demo', validateCode: '1234' },
      FROM,
    );
    expect(up.calls[0]).toBe('code:demo:1234');
  });

  it.each([
    ['invalid_credentials', 'E_DRIVER_WRONG_USERNAME_PASSWORD', 'username, password or validate code is wrong'],
    ['unavailable', 'E_SERVER_UNREACHABLE', 'cannot be reached'],
    ['rejected', 'E_DRIVER_LOGIN_FAILED', 'did not sign you in: upstream says no'],
    ['malformed', 'E_DRIVER_LOGIN_FAILED', 'did not sign you in'],
    ['invalid_grant', 'E_DRIVER_LOGIN_FAILED', 'did not sign you in'],
  ] as const)('maps an upstream %s failure to %s', async (failure, errorName, message) => {
    const login = loginCommand(new PasswordLogin({ upstream: upstream(failure), vault: vault(), limits: testLimits() }));
    await expect(login({ username: 'demo', password: 'pw' }, FROM)).rejects.toMatchObject({
      errorName,
      message: expect.stringContaining(message),
    });
  });

  it.each([
    [{}, 'Invalid login command: params.username is required'],
    [{ username: '' }, 'Invalid login command: params.username must not be empty'],
    [{ username: 'demo' }, 'Invalid login command: params: expected exactly one of password and validateCode'],
    [{ username: 'demo', password: 'a', validateCode: 'b' }, 'params: expected exactly one of password and validateCode'],
    [{ username: 'demo', password: 42 }, 'Invalid login command: params.password: expected string'],
  ])('refuses params %j', async (params, message) => {
    const login = loginCommand(new PasswordLogin({ upstream: upstream(), vault: vault(), limits: testLimits() }));
    await expect(login(params, FROM)).rejects.toMatchObject({ errorName: 'E_DRIVER_ERROR', message: expect.stringContaining(message) });
  });
});

const WRONG = 'E_DRIVER_WRONG_USERNAME_PASSWORD';

describe('attempt limits', () => {
  const world = (settings = {}) => {
    const clock = new FakeClock();
    const limits = testLimits(clock, settings);
    const up = upstream('invalid_credentials');
    const login = loginCommand(new PasswordLogin({ upstream: up, vault: vault(), limits }));
    return { clock, limits, up, login };
  };

  it('after 5 failures in a row an account waits, doubling from 1 s up to the cap, and is told until when; nobody asks the account service meanwhile', async () => {
    const w = world();
    for (let i = 0; i < 5; i++)
      await expect(w.login({ username: 'Demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
    expect(w.up.calls).toHaveLength(5);
    const at = (seconds: number) => new Date((w.clock.seconds + seconds) * 1000).toISOString().slice(11, 19);
    await expect(w.login({ username: 'demo ', password: 'x' }, { sourceIp: '198.51.100.1' })).rejects.toMatchObject({
      errorName: 'E_DRIVER_LOGIN_FAILED',
      message: `Too many failed sign-in attempts. Try again after ${at(1)} UTC (in 1 second).`,
    });
    expect(w.up.calls).toHaveLength(5);
    expect(w.limits.metrics.throttled).toBe(1);
    // Other usernames are untouched.
    await expect(w.login({ username: 'other', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
    // Each failure past the free ones doubles the wait: 1, 2, 4 ... seconds.
    for (const wait of [1, 2, 4, 8]) {
      w.clock.advance(wait);
      await expect(w.login({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
    }
    await expect(w.login({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({
      message: `Too many failed sign-in attempts. Try again after ${at(16)} UTC (in 16 seconds).`,
    });
    // Never longer than the cap.
    for (let i = 0; i < 12; i++) {
      w.clock.advance(1200);
      await w.login({ username: 'demo', password: 'x' }, FROM).catch(() => undefined);
    }
    await expect(w.login({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({
      message: `Too many failed sign-in attempts. Try again after ${at(1200)} UTC (in 20 minutes).`,
    });
  });

  it('the login command is not limited by address (every login comes from Homebase); seed 003 and the form are', async () => {
    const w = world({ perIp: 4 });
    for (let i = 0; i < 10; i++) await w.login({ username: `user-${i}`, password: 'x' }, FROM).catch(() => undefined);
    await expect(w.login({ username: 'fresh', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
  });

  it("a success clears its account's record: one record per account, however the username is typed", async () => {
    const clock = new FakeClock();
    const limits = testLimits(clock);
    const failing = loginCommand(new PasswordLogin({ upstream: upstream('invalid_credentials'), vault: vault(), limits }));
    for (let i = 0; i < 4; i++) await failing({ username: 'demo', password: 'x' }, FROM).catch(() => undefined);
    await loginCommand(new PasswordLogin({ upstream: upstream(), vault: vault(), limits }))({ username: 'demo', password: 'pw' }, FROM);
    for (let i = 0; i < 5; i++) {
      await expect(failing({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
    }
    expect([...limits.store.records.keys()]).toEqual(['login#user#login\u0000demo']);
  });

  it('gives back the attempt when the account service could not be reached: no answer, no guess', async () => {
    const limits = testLimits();
    const down = loginCommand(new PasswordLogin({ upstream: upstream('unavailable'), vault: vault(), limits }));
    for (let i = 0; i < 8; i++)
      await expect(down({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: 'E_SERVER_UNREACHABLE' });
    expect([...limits.store.records.values()]).toEqual([{ failures: 0, openAt: 0, version: expect.any(Number) }]);
  });
});

describe('the sign-in form: device cookies and addresses', () => {
  const world = (settings = {}) => {
    const clock = new FakeClock();
    const limits = testLimits(clock, settings);
    const wrong = new PasswordLogin({ upstream: upstream('invalid_credentials'), vault: vault(), limits });
    const right = new PasswordLogin({ upstream: upstream(), vault: vault(), limits });
    return { clock, limits, wrong, right };
  };
  const guessing = (w: ReturnType<typeof world>, times: number, from = '198.51.100.66') =>
    Promise.all(
      Array.from({ length: times }, () => w.wrong.signIn({ username: 'demo', password: 'x' }, { sourceIp: from }).catch(() => undefined)),
    );

  it('a browser that signed in before signs in at once while the account is throttled by guesses from elsewhere', async () => {
    const w = world();
    const { deviceCookie } = await w.right.signIn({ username: 'demo', password: 'pw' }, FROM);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test HMAC is the identity, so the mac holds its separators
    expect(deviceCookie).toMatch(/^d1\.[\w-]{22}\.[\w\u0000-]+/);
    await guessing(w, 20);
    await expect(w.right.signIn({ username: 'demo', password: 'pw' }, FROM)).rejects.toMatchObject({ errorName: 'E_DRIVER_LOGIN_FAILED' });
    await expect(w.right.signIn({ username: 'demo', password: 'pw' }, { ...FROM, deviceCookie })).resolves.toMatchObject({
      auth: { userId: 'vendor-42' },
    });
  });

  it("a device cookie is its account's only: for another username, or altered, it is no cookie at all", async () => {
    const w = world();
    const { deviceCookie } = await w.right.signIn({ username: 'demo', password: 'pw' }, FROM);
    await guessing(w, 10);
    const [d, id, mac] = deviceCookie.split('.');
    for (const cookie of [`${d}.${id}.${mac}x`, `${d}.${id!.slice(1)}A.${mac}`, 'd1..', 'garbage']) {
      await expect(w.right.signIn({ username: 'demo', password: 'pw' }, { ...FROM, deviceCookie: cookie })).rejects.toMatchObject({
        errorName: 'E_DRIVER_LOGIN_FAILED',
      });
    }
  });

  it('a device cookie has failures of its own: 10 free, then it waits like an account', async () => {
    const w = world();
    const { deviceCookie } = await w.right.signIn({ username: 'demo', password: 'pw' }, FROM);
    for (let i = 0; i < 10; i++) {
      await expect(w.wrong.signIn({ username: 'demo', password: 'x' }, { ...FROM, deviceCookie })).rejects.toMatchObject({
        errorName: WRONG,
      });
    }
    await expect(w.wrong.signIn({ username: 'demo', password: 'x' }, { ...FROM, deviceCookie })).rejects.toMatchObject({
      errorName: 'E_DRIVER_LOGIN_FAILED',
    });
  });

  it('an address is limited across usernames, and its refused attempts count against no account', async () => {
    const w = world({ perIp: 4 });
    for (let i = 0; i < 4; i++) await w.wrong.signIn({ username: `user-${i}`, password: 'x' }, FROM).catch(() => undefined);
    await expect(w.wrong.signIn({ username: 'fresh', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: 'E_DRIVER_LOGIN_FAILED' });
    expect(w.limits.store.records.get('login#user#login\u0000fresh')).toMatchObject({ failures: 0 });
    expect(w.limits.metrics.throttled).toBe(1);
    await expect(w.right.signIn({ username: 'fresh', password: 'pw' }, { sourceIp: '198.51.100.2' })).resolves.toBeDefined();
  });
});
