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

describe('attempt limits', () => {
  const WRONG = 'E_DRIVER_WRONG_USERNAME_PASSWORD';
  const world = (settings = {}) => {
    const clock = new FakeClock();
    const limits = testLimits(clock, settings);
    const up = upstream('invalid_credentials');
    const login = loginCommand(new PasswordLogin({ upstream: up, vault: vault(), limits }));
    return { clock, limits, up, login };
  };

  it('after 5 failures for one username from one address, refuses the 6th without asking the account service, and says when to try again', async () => {
    const w = world();
    for (let i = 0; i < 5; i++)
      await expect(w.login({ username: 'Demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
    expect(w.up.calls).toHaveLength(5);
    const retryAt = new Date((w.clock.seconds + 900) * 1000).toISOString().slice(11, 16);
    await expect(w.login({ username: 'demo ', password: 'x' }, FROM)).rejects.toMatchObject({
      errorName: 'E_DRIVER_LOGIN_FAILED',
      message: `Too many failed sign-in attempts. Try again after ${retryAt} UTC (in 15 minutes).`,
    });
    expect(w.up.calls).toHaveLength(5);
    // Other usernames, and the same username from elsewhere, are untouched.
    await expect(w.login({ username: 'other', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
    await expect(w.login({ username: 'demo', password: 'x' }, { sourceIp: '198.51.100.1' })).rejects.toMatchObject({ errorName: WRONG });
    // The window ends, and the username may try again.
    w.clock.advance(900);
    await expect(w.login({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: WRONG });
  });

  it('counts a username across addresses, and an address across usernames, each to its own limit', async () => {
    const w = world({ perUserIp: 100, perUser: 3, perIp: 4 });
    for (let i = 0; i < 3; i++) await w.login({ username: 'demo', password: 'x' }, { sourceIp: `198.51.100.${i}` }).catch(() => undefined);
    await expect(w.login({ username: 'demo', password: 'x' }, { sourceIp: '198.51.100.9' })).rejects.toMatchObject({
      errorName: 'E_DRIVER_LOGIN_FAILED',
    });
    const v = world({ perUserIp: 100, perUser: 100, perIp: 4 });
    for (let i = 0; i < 4; i++) await v.login({ username: `user-${i}`, password: 'x' }, FROM).catch(() => undefined);
    await expect(v.login({ username: 'fresh', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: 'E_DRIVER_LOGIN_FAILED' });
  });

  it("a success clears its username's counters, and the counters hold no username in clear", async () => {
    const clock = new FakeClock();
    const limits = testLimits(clock);
    const failing = loginCommand(new PasswordLogin({ upstream: upstream('invalid_credentials'), vault: vault(), limits }));
    for (let i = 0; i < 4; i++) await failing({ username: 'demo', password: 'x' }, FROM).catch(() => undefined);
    await loginCommand(new PasswordLogin({ upstream: upstream(), vault: vault(), limits }))({ username: 'demo', password: 'pw' }, FROM);
    for (let i = 0; i < 4; i++) await failing({ username: 'demo', password: 'x' }, FROM).catch(() => undefined);
    await expect(failing({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({
      errorName: 'E_DRIVER_WRONG_USERNAME_PASSWORD',
    });
  });

  it('does not count an outage of the account service as a failed attempt', async () => {
    const limits = testLimits();
    const down = loginCommand(new PasswordLogin({ upstream: upstream('unavailable'), vault: vault(), limits }));
    for (let i = 0; i < 6; i++)
      await expect(down({ username: 'demo', password: 'x' }, FROM)).rejects.toMatchObject({ errorName: 'E_SERVER_UNREACHABLE' });
  });
});
