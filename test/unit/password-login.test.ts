import { describe, expect, it } from 'vitest';
import { loginCommand, PasswordLogin } from '../../functions/domain/linking/password-login.ts';
import type { PasswordUpstream } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { UpstreamError, type UpstreamFailure } from '../../functions/domain/upstream-error.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { FakeClock, InMemoryLinkStore } from '../support/in-memory.ts';

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
    const login = loginCommand(new PasswordLogin({ upstream: up, vault: vault() }));
    const auth = await login({ username: 'demo', password: 'pw' });
    expect(up.calls).toEqual(['password:demo:pw', 'user:access']);
    expect(auth).toMatchObject({ userId: 'vendor-42', expiresIn: 100 });
    expect(auth.userToken).toMatch(/^hbu\./);
    expect(auth.refreshToken).toMatch(/^hbr\./);
  });

  it('signs in with a validate code', async () => {
    const up = upstream();
    await loginCommand(new PasswordLogin({ upstream: up, vault: vault() }))({ username: 'demo', validateCode: '1234' });
    expect(up.calls[0]).toBe('code:demo:1234');
  });

  it.each([
    ['invalid_credentials', 'E_DRIVER_WRONG_USERNAME_PASSWORD', 'username, password or validate code is wrong'],
    ['unavailable', 'E_SERVER_UNREACHABLE', 'cannot be reached'],
    ['rejected', 'E_DRIVER_LOGIN_FAILED', 'did not sign you in: upstream says no'],
    ['malformed', 'E_DRIVER_LOGIN_FAILED', 'did not sign you in'],
    ['invalid_grant', 'E_DRIVER_LOGIN_FAILED', 'did not sign you in'],
  ] as const)('maps an upstream %s failure to %s', async (failure, errorName, message) => {
    const login = loginCommand(new PasswordLogin({ upstream: upstream(failure), vault: vault() }));
    await expect(login({ username: 'demo', password: 'pw' })).rejects.toMatchObject({
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
    const login = loginCommand(new PasswordLogin({ upstream: upstream(), vault: vault() }));
    await expect(login(params)).rejects.toMatchObject({ errorName: 'E_DRIVER_ERROR', message: expect.stringContaining(message) });
  });
});
