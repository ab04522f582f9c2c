import { beforeEach, describe, expect, it } from 'vitest';
import { ExpiredTokenError } from '../../functions/domain/errors.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { hashToken, linkIdOf, tokenMatches } from '../../functions/domain/vault/tokens.ts';
import { FakeClock, InMemoryLinkStore } from '../support/in-memory.ts';

const grant = { accessToken: 'upstream-access', refreshToken: 'upstream-refresh', expiresIn: 86400, extra: { scope: 'all' } };

describe('token vault', () => {
  let links: InMemoryLinkStore;
  let clock: FakeClock;
  let vault: TokenVault;

  beforeEach(() => {
    links = new InMemoryLinkStore();
    clock = new FakeClock();
    vault = new TokenVault({ links, clock, settings: { userTokenTtlS: 3600, refreshTokenTtlS: 7200, refresh: DEFAULT_POLICY } });
  });

  it('issues opaque driver tokens and stores only their hashes', async () => {
    const auth = await vault.link('u1', 'usercenter', grant);
    expect(auth).toMatchObject({ userId: 'u1', expiresIn: 3600 });
    const [link] = [...links.items.values()];
    expect(link).toBeDefined();
    const stored = JSON.stringify(link);
    expect(stored).not.toContain(auth.userToken);
    expect(stored).not.toContain(auth.refreshToken);
    expect(link!.userTokenHash).toBe(hashToken(auth.userToken));
    expect(link!.credentials).toEqual({
      accessToken: 'upstream-access',
      refreshToken: 'upstream-refresh',
      expiresAt: clock.now() + 86400,
      extra: { scope: 'all' },
    });
    expect(link!.version).toBe(1);
  });

  it('authenticates its own token and hands out the upstream session', async () => {
    const auth = await vault.link('u1', 'usercenter', grant);
    const { session } = await vault.authenticate({ userId: 'u1', userToken: auth.userToken });
    expect(session.vendorUserId).toBe('u1');
    await expect(session.credentials()).resolves.toEqual({ accessToken: 'upstream-access' });
  });

  it('keeps two Homebase accounts linked to the same vendor user independent', async () => {
    const first = await vault.link('u1', 'usercenter', grant);
    const second = await vault.link('u1', 'usercenter', { ...grant, accessToken: 'other-access' });
    expect(first.userToken).not.toBe(second.userToken);
    expect((await (await vault.authenticate(first)).session.credentials()).accessToken).toBe('upstream-access');
    expect((await (await vault.authenticate(second)).session.credentials()).accessToken).toBe('other-access');
  });

  it('accepts the token up to the second before expiry, and not at expiry', async () => {
    const auth = await vault.link('u1', 'usercenter', grant);
    clock.advance(3599);
    await expect(vault.authenticate(auth)).resolves.toBeDefined();
    clock.advance(1);
    const expired = vault.authenticate(auth);
    await expect(expired).rejects.toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
      message: expect.stringContaining('expired'),
    });
    // v1 names it as any sign-out; its class tells an expired token apart, for v2.
    await expect(expired).rejects.toBeInstanceOf(ExpiredTokenError);
  });

  it.each([
    ['a token of another format', 'abc', 'not issued by this driver'],
    ['a refresh token in place of the user token', 'REFRESH', 'not issued by this driver'],
    ['a forged secret', 'FORGED', 'not recognised'],
    ['an unknown link', 'hbu.nolink.secret', 'not recognised'],
  ])('signs the user out for %s', async (_case, token, message) => {
    const auth = await vault.link('u1', 'usercenter', grant);
    const userToken = token === 'REFRESH' ? auth.refreshToken : token === 'FORGED' ? `${auth.userToken.slice(0, -4)}AAAA` : token;
    const refused = vault.authenticate({ userToken });
    await expect(refused).rejects.toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
      message: expect.stringContaining(message),
    });
    await expect(refused.catch((error: unknown) => error instanceof ExpiredTokenError)).resolves.toBe(false);
  });

  it('refuses a userId that does not match the token', async () => {
    const auth = await vault.link('u1', 'usercenter', grant);
    await expect(vault.authenticate({ userId: 'u2', userToken: auth.userToken })).rejects.toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
      message: expect.stringContaining('userId does not match'),
    });
  });

  it.each(['needs_relink', 'revoked'] as const)('treats a %s link as unusable for good', async (status) => {
    const auth = await vault.link('u1', 'usercenter', grant);
    const linkId = linkIdOf('hbu', auth.userToken)!;
    links.items.get(linkId)!.status = status;
    await expect(vault.authenticate(auth)).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining('link your account again'),
    });
  });
});

describe('driver tokens', () => {
  it('compare equal only to their own hash', () => {
    const hash = hashToken('hbu.a.b');
    expect(tokenMatches('hbu.a.b', hash)).toBe(true);
    expect(tokenMatches('hbu.a.c', hash)).toBe(false);
    expect(tokenMatches('hbu.a.b', 'short')).toBe(false);
  });

  it('name their link only when they have the expected shape', () => {
    expect(linkIdOf('hbu', 'hbu.link.secret')).toBe('link');
    expect(linkIdOf('hbu', 'hbr.link.secret')).toBeUndefined();
    expect(linkIdOf('hbu', 'hbu..secret')).toBeUndefined();
    expect(linkIdOf('hbu', 'hbu.link.secret.extra')).toBeUndefined();
  });
});
