/**
 * Rotation of the driver's refresh tokens (OAuthRefresh and the OAuth 2.0 server's refresh_token grant):
 * later tokens cannot be computed from an earlier one; any spent token of the family, however old, ends
 * the whole family, and so does the one just replaced once its successor was used or its grace is over;
 * an unrecognised token ends nothing. On a fake clock and the in-memory store.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecurityEvents } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { MAX_SPENT_TOKENS } from '../../functions/domain/vault/refresh-family.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { hashToken, linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { FakeClock, InMemoryLinkStore } from '../support/in-memory.ts';

/** How releases before 2026-12-04 derived a rotation's pair: an HMAC keyed by the old refresh token alone. */
function legacySuccessorsOf(refreshToken: string, linkId: string) {
  const derive = (kind: string) =>
    `${kind}.${linkId}.${createHmac('sha256', refreshToken).update(`${kind}:successor`).digest('base64url')}`;
  return { userToken: derive('hbu'), refreshToken: derive('hbr') };
}

const REPLAYED =
  'The sign-in cannot be renewed; link your account again in the Rokid app. (The refreshToken was already used, so it may have been copied: every token of this link is now revoked.)';
const UNKNOWN = 'The sign-in cannot be renewed; link your account again in the Rokid app. (The refreshToken is not recognised.)';
const RELINK = 'The link to your account can no longer be used. Remove the device brand in the Rokid app and link your account again.';

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
    expect(events).toEqual([{ linkId: link!.linkId, vendorUserId: 'u1', rotationsAgo: 1 }]);
  });

  it('an unrecognised refresh token naming a real link revokes nothing: the link id is no secret', async () => {
    const { vault, events } = world();
    const auth = await vault.link('u1', 'oauth', grant);
    const forged = `hbr.${linkIdOf('hbr', auth.refreshToken)}.${'A'.repeat(43)}`;
    await expect(vault.rotate({ refreshToken: forged })).rejects.toMatchObject({ message: expect.stringContaining('not recognised') });
    await expect(vault.authenticate({ userToken: auth.userToken })).resolves.toBeDefined();
    expect(events).toEqual([]);
  });

  it('a link rotated by the old derivation keeps its pair until its next rotation, which is random; the token it replaced is a replay', async () => {
    const { vault, links, clock, events } = world();
    const auth = await vault.link('u1', 'oauth', grant);
    const linkId = linkIdOf('hbr', auth.refreshToken)!;
    // As the old code left it: the derived pair's hashes, the replaced token's, and neither a sealed pair nor a spent list.
    const legacy = legacySuccessorsOf(auth.refreshToken, linkId);
    const link = links.items.get(linkId)!;
    Object.assign(link, {
      userTokenHash: hashToken(legacy.userToken),
      refreshTokenHash: hashToken(legacy.refreshToken),
      previousRefreshTokenHash: link.refreshTokenHash,
      refreshRotatedAt: clock.now(),
      version: link.version + 1,
    });
    clock.advance(600);
    await expect(vault.authenticate({ userToken: legacy.userToken })).resolves.toBeDefined();
    const next = await vault.rotate({ refreshToken: legacy.refreshToken });
    expect(next.refreshToken).not.toBe(legacySuccessorsOf(legacy.refreshToken, linkId).refreshToken);
    await expect(vault.authenticate({ userToken: next.userToken })).resolves.toBeDefined();
    // The token the derivation started from is now two rotations old: it ends the family.
    await expect(vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: REPLAYED,
    });
    await expect(vault.authenticate({ userToken: next.userToken })).rejects.toMatchObject({ message: RELINK });
    expect(events).toEqual([{ linkId, vendorUserId: 'u1', rotationsAgo: 2 }]);
  });
});

describe('refresh-token families', () => {
  /** Rotates `times` times, a day apart (well past the grace), and answers every refresh token issued, oldest first. */
  async function rotations(w: ReturnType<typeof world>, times: number) {
    const tokens = [(await w.vault.link('u1', 'oauth', grant)).refreshToken];
    for (let i = 0; i < times; i++) {
      w.clock.advance(86_400 / 100);
      tokens.push((await w.vault.rotate({ refreshToken: tokens.at(-1)! })).refreshToken);
    }
    return tokens;
  }

  it.each([2, 3, 10])('a refresh token %i rotations old revokes the family, with the replay error and one security event', async (age) => {
    const w = world();
    const tokens = await rotations(w, 10);
    const current = tokens.at(-1)!;
    w.clock.advance(3600);
    await expect(w.vault.rotate({ refreshToken: tokens.at(-1 - age)! })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: REPLAYED,
    });
    const [link] = w.links.items.values();
    expect(link).toMatchObject({ status: 'revoked' });
    await expect(w.vault.rotate({ refreshToken: current })).rejects.toMatchObject({ message: RELINK });
    expect(w.events).toEqual([{ linkId: link!.linkId, vendorUserId: 'u1', rotationsAgo: age }]);
  });

  it('keeps only hashes of the spent tokens, and forgets the oldest beyond MAX_SPENT_TOKENS: that one is unknown, and revokes nothing', async () => {
    const w = world();
    const tokens = await rotations(w, MAX_SPENT_TOKENS + 1);
    const [link] = w.links.items.values();
    expect(link!.spentRefreshTokens).toHaveLength(MAX_SPENT_TOKENS);
    expect(JSON.stringify(link!.spentRefreshTokens)).not.toContain(tokens[1]!.split('.')[2]);
    expect(link!.spentRefreshTokens!.map((spent) => spent.hash)).toEqual(tokens.slice(1, -1).map(hashToken));
    await expect(w.vault.rotate({ refreshToken: tokens[0]! })).rejects.toMatchObject({ message: UNKNOWN });
    expect(w.events).toEqual([]);
    await expect(w.vault.rotate({ refreshToken: tokens[1]! })).rejects.toMatchObject({ message: REPLAYED });
  });

  it('forgets a spent token once it would have expired: then it is unknown, and revokes nothing', async () => {
    const w = world(); // refresh tokens live 86,400 s
    const first = await w.vault.link('u1', 'oauth', grant);
    w.clock.advance(100);
    await w.vault.rotate({ refreshToken: first.refreshToken });
    w.clock.advance(86_400 - 100 - 1); // the last second of the first token's lifetime
    await expect(w.vault.rotate({ refreshToken: first.refreshToken })).rejects.toMatchObject({ message: REPLAYED });
    const again = world();
    const a = await again.vault.link('u1', 'oauth', grant);
    again.clock.advance(100);
    const b = await again.vault.rotate({ refreshToken: a.refreshToken });
    again.clock.advance(86_400 - 100);
    await expect(again.vault.rotate({ refreshToken: a.refreshToken })).rejects.toMatchObject({ message: UNKNOWN });
    await expect(again.vault.rotate({ refreshToken: b.refreshToken })).resolves.toMatchObject({ userId: 'u1' });
    expect(again.events).toEqual([]);
  });

  it('re-answers the replaced token within the grace until its successor is used for a refresh; after that first use it revokes', async () => {
    const w = world();
    const auth = await w.vault.link('u1', 'oauth', grant);
    const rotated = await w.vault.rotate({ refreshToken: auth.refreshToken });
    w.clock.advance(10);
    for (let i = 0; i < 3; i++) {
      await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).resolves.toEqual({ ...rotated, expiresIn: 3600 - 10 });
    }
    // The new access token in use does not end the re-answer (docs/linking.md says why); a refresh with the new refresh token does.
    await expect(w.vault.authenticate({ userToken: rotated.userToken })).resolves.toBeDefined();
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).resolves.toMatchObject({ refreshToken: rotated.refreshToken });
    const next = await w.vault.rotate({ refreshToken: rotated.refreshToken });
    w.clock.advance(10); // still within the first rotation's 60 s
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: REPLAYED,
    });
    await expect(w.vault.authenticate({ userToken: next.userToken })).rejects.toMatchObject({ message: RELINK });
    expect(w.events).toEqual([{ linkId: linkIdOf('hbr', auth.refreshToken), vendorUserId: 'u1', rotationsAgo: 2 }]);
  });

  it('clears the kept pair at its first use (the next rotation keeps only its own) and lets no write keep it past the grace', async () => {
    const w = world();
    const auth = await w.vault.link('u1', 'oauth', grant);
    const linkId = linkIdOf('hbr', auth.refreshToken)!;
    const rotated = await w.vault.rotate({ refreshToken: auth.refreshToken });
    expect(w.links.items.get(linkId)!.rotationIssued).toEqual({
      userToken: rotated.userToken,
      refreshToken: rotated.refreshToken,
      until: w.clock.now() + 60,
    });
    const next = await w.vault.rotate({ refreshToken: rotated.refreshToken });
    expect(JSON.stringify(w.links.items.get(linkId))).not.toContain(rotated.refreshToken);
    expect(JSON.stringify(w.links.items.get(linkId))).not.toContain(rotated.userToken);
    expect(w.links.items.get(linkId)!.rotationIssued).toMatchObject({ refreshToken: next.refreshToken });
    // Any write after the grace (here the refresh job's, as any writer stamps updatedAt) drops it.
    w.clock.advance(61);
    const link = (await w.links.get(linkId))!;
    expect(await w.links.update({ ...link, lastRefreshedAt: w.clock.now(), updatedAt: w.clock.now(), version: link.version + 1 })).toBe(
      true,
    );
    expect(w.links.items.get(linkId)!.rotationIssued).toBeUndefined();
    await expect(w.vault.rotate({ refreshToken: rotated.refreshToken })).rejects.toMatchObject({ message: REPLAYED });
  });

  it('does not re-answer from a kept pair whose grace has ended, even before any write dropped it', async () => {
    const w = world();
    const auth = await w.vault.link('u1', 'oauth', grant);
    await w.vault.rotate({ refreshToken: auth.refreshToken });
    w.clock.advance(60);
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).resolves.toMatchObject({ userId: 'u1' });
    w.clock.advance(1);
    expect(w.links.items.values().next().value!.rotationIssued).toBeDefined();
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({ message: REPLAYED });
  });

  it('two refreshes racing with the same token: exactly one rotates, and the other gets its pair', async () => {
    const w = world();
    const auth = await w.vault.link('u1', 'oauth', grant);
    const [one, two] = await Promise.all([
      w.vault.rotate({ refreshToken: auth.refreshToken }),
      w.vault.rotate({ refreshToken: auth.refreshToken }),
    ]);
    expect(two.refreshToken).toBe(one.refreshToken);
    expect(two.userToken).toBe(one.userToken);
    const [link] = w.links.items.values();
    expect(link).toMatchObject({ version: 2, spentRefreshTokens: [{ hash: hashToken(auth.refreshToken) }] });
  });

  it('two refreshes racing with the same token: when the loser looks again after the grace, it revokes the family', async () => {
    const w = world();
    const auth = await w.vault.link('u1', 'oauth', grant);
    const update = w.links.update.bind(w.links);
    // The loser's conditional write fails, and its re-read comes late.
    w.links.update = async (next, options) => {
      if (await update(next, options)) return true;
      w.clock.advance(61);
      return false;
    };
    const answers = await Promise.allSettled([
      w.vault.rotate({ refreshToken: auth.refreshToken }),
      w.vault.rotate({ refreshToken: auth.refreshToken }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(['fulfilled', 'rejected']);
    expect(answers[1]).toMatchObject({ reason: { errorName: 'E_INVALID_AUTHORIZATION', message: REPLAYED } });
    expect(w.links.items.values().next().value).toMatchObject({ status: 'revoked' });
  });
});
