/**
 * Rotation of the driver's refresh tokens (OAuthRefresh and the OAuth 2.0 server's refresh_token grant):
 * later tokens cannot be computed from an earlier one, a replay after the grace window ends the whole
 * family, and an unrecognised token ends nothing. On a fake clock and the in-memory store.
 */
import { describe, expect, it } from 'vitest';
import type { SecurityEvents } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { hashToken, legacySuccessorsOf, linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { FakeClock, InMemoryLinkStore } from '../support/in-memory.ts';

const grant = { accessToken: 'upstream-access', refreshToken: 'upstream-refresh', expiresIn: 86400, extra: {} };

function world() {
  const links = new InMemoryLinkStore();
  const clock = new FakeClock();
  const events: Parameters<SecurityEvents['refreshTokenReplayed']>[0][] = [];
  const vault = new TokenVault({
    links,
    clock,
    settings: { userTokenTtlS: 3600, refreshTokenTtlS: 86_400, refresh: DEFAULT_POLICY, refreshGraceS: 60 },
    security: { refreshTokenReplayed: (details) => events.push(details) },
  });
  return { links, clock, vault, events };
}

describe('refresh token rotation', () => {
  it('mints successors no one can compute from the old token: the derivation that used to work now yields nothing', async () => {
    const { vault } = world();
    const auth = await vault.link('u1', 'oauth', grant);
    const rotated = await vault.rotate({ refreshToken: auth.refreshToken });
    // What an attacker holding the old token computed before: the HMAC of the old token alone.
    const derived = legacySuccessorsOf(auth.refreshToken, linkIdOf('hbr', auth.refreshToken)!);
    expect(derived.userToken).not.toBe(rotated.userToken);
    expect(derived.refreshToken).not.toBe(rotated.refreshToken);
    await expect(vault.authenticate({ userToken: derived.userToken })).rejects.toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
      message: expect.stringContaining('(The userToken is not recognised.)'),
    });
    await expect(vault.rotate({ refreshToken: derived.refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining('(The refreshToken is not recognised.)'),
    });
    // Nor does the next rotation follow from the one before.
    const again = await vault.rotate({ refreshToken: rotated.refreshToken });
    expect(again.refreshToken).not.toBe(legacySuccessorsOf(rotated.refreshToken, linkIdOf('hbr', rotated.refreshToken)!).refreshToken);
    // A forged token revoked nothing: the real holder goes on.
    await expect(vault.authenticate({ userToken: again.userToken })).resolves.toBeDefined();
  });

  it('a replay after the grace window revokes the link and every token of it, once, as a security event without a token', async () => {
    const { vault, clock, links, events } = world();
    const auth = await vault.link('u1', 'oauth', grant);
    const rotated = await vault.rotate({ refreshToken: auth.refreshToken });
    clock.advance(61);
    await expect(vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining('every token of this link is now revoked'),
    });
    const [link] = links.items.values();
    expect(link).toMatchObject({ status: 'revoked', refreshDueAt: clock.now() });
    expect(link?.rotationIssued).toBeUndefined();
    await expect(vault.authenticate({ userToken: rotated.userToken })).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION' });
    await expect(vault.rotate({ refreshToken: rotated.refreshToken })).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION' });
    // Replayed again: the link is already ended; no second event.
    await expect(vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION' });
    expect(events).toEqual([{ linkId: link!.linkId, vendorUserId: 'u1' }]);
  });

  it('an unrecognised refresh token naming a real link revokes nothing: the link id is no secret', async () => {
    const { vault, events } = world();
    const auth = await vault.link('u1', 'oauth', grant);
    const forged = `hbr.${linkIdOf('hbr', auth.refreshToken)}.${'A'.repeat(43)}`;
    await expect(vault.rotate({ refreshToken: forged })).rejects.toMatchObject({ message: expect.stringContaining('not recognised') });
    await expect(vault.authenticate({ userToken: auth.userToken })).resolves.toBeDefined();
    expect(events).toEqual([]);
  });

  it('a link rotated before random rotation: a retry in the grace window gets the pair it got then, and its next rotation is random', async () => {
    const { vault, links, clock } = world();
    const auth = await vault.link('u1', 'oauth', grant);
    const linkId = linkIdOf('hbr', auth.refreshToken)!;
    // As the old code left it: the derived pair's hashes, and no sealed pair.
    const legacy = legacySuccessorsOf(auth.refreshToken, linkId);
    const link = links.items.get(linkId)!;
    Object.assign(link, {
      userTokenHash: hashToken(legacy.userToken),
      refreshTokenHash: hashToken(legacy.refreshToken),
      previousRefreshTokenHash: link.refreshTokenHash,
      refreshRotatedAt: clock.now(),
      version: link.version + 1,
    });
    await expect(vault.rotate({ refreshToken: auth.refreshToken })).resolves.toMatchObject(legacy);
    const next = await vault.rotate({ refreshToken: legacy.refreshToken });
    expect(next.refreshToken).not.toBe(legacySuccessorsOf(legacy.refreshToken, linkId).refreshToken);
    await expect(vault.authenticate({ userToken: next.userToken })).resolves.toBeDefined();
  });
});
