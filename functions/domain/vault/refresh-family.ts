/**
 * A link's refresh-token family: the refresh token it holds now, and every one it replaced. Rotation
 * spends the current token; a spent token that comes back is a replay (RFC 9700 §4.14.2), unless it is
 * the one just replaced, within its grace, and the pair it was replaced by has not been used yet. Pure
 * functions of the link and the time, so the token vault stays the only place that decides.
 */
import type { IssuedPair, Link, SpentToken } from './link.ts';
import { tokenMatches } from './tokens.ts';

/**
 * How many spent refresh tokens a link remembers. Homebase rotates when the userToken expires
 * (USER_TOKEN_TTL_S, 30 days), so about 6 spent tokens are alive at once (REFRESH_TOKEN_TTL_S, 180 days);
 * 32 leaves five times that, and holds a link item's hashes under 2.5 KB.
 */
export const MAX_SPENT_TOKENS = 32;

/** OAUTH_REFRESH_GRACE_S's default. */
const DEFAULT_GRACE_S = 60;

/** What a presented refresh token is to its link. */
export type Standing = 'current' | 'previous' | 'spent';

/**
 * The token's place in the family, or undefined when the link never issued it (or it has outlived
 * its lifetime). Every stored hash is compared, in constant time each, whether or not one matched before.
 */
export function standingOf(link: Link, token: string, now: number): Standing | undefined {
  const current = tokenMatches(token, link.refreshTokenHash);
  const previous = link.previousRefreshTokenHash !== undefined && tokenMatches(token, link.previousRefreshTokenHash);
  const spent = liveSpent(link.spentRefreshTokens, now).filter((entry) => tokenMatches(token, entry.hash)).length > 0;
  if (current) return 'current';
  // The previous token is also the newest spent one, and outlives its lifetime no more than they do (a link
  // last rotated by a release without the list knows no lifetime for it).
  if (previous && (spent || link.spentRefreshTokens === undefined)) return 'previous';
  return spent ? 'spent' : undefined;
}

/** How many rotations ago a spent token was replaced: 1 for the previous token, and at least 1 for any. */
export function rotationsAgo(link: Link, token: string): number {
  const spent = link.spentRefreshTokens ?? [];
  const index = spent.findLastIndex((entry) => tokenMatches(token, entry.hash));
  return index < 0 ? 1 : spent.length - index;
}

/**
 * The pair to answer the previous token with again: only within the grace, and only while the pair's
 * refresh token is still the link's own, i.e. nobody has refreshed with it yet. Undefined otherwise,
 * and then the previous token is a replay.
 */
export function reanswerFor(link: Link, now: number, graceS: number): IssuedPair | undefined {
  const kept = link.rotationIssued;
  if (!kept || link.refreshRotatedAt === undefined || now - link.refreshRotatedAt > graceS) return undefined;
  if (kept.until !== undefined && kept.until < now) return undefined;
  if (!tokenMatches(kept.refreshToken, link.refreshTokenHash)) return undefined;
  return { userToken: kept.userToken, refreshToken: kept.refreshToken };
}

/**
 * The link's family once `issued` replaces its current pair at `now`: the current refresh token joins
 * the spent ones (the oldest beyond MAX_SPENT_TOKENS dropped), and `issued` is kept for the grace.
 */
export function rotatedFamily(
  link: Link,
  issued: { userToken: { token: string; hash: string }; refreshToken: { token: string; hash: string } },
  now: number,
  ttl: { userTokenTtlS: number; refreshTokenTtlS: number; graceS: number },
): Pick<
  Link,
  | 'userTokenHash'
  | 'userTokenExpiresAt'
  | 'refreshTokenHash'
  | 'refreshTokenExpiresAt'
  | 'previousRefreshTokenHash'
  | 'refreshRotatedAt'
  | 'rotationIssued'
  | 'spentRefreshTokens'
> {
  const spent = [...spentSoFar(link, ttl.refreshTokenTtlS, now), { hash: link.refreshTokenHash, expiresAt: link.refreshTokenExpiresAt }];
  return {
    userTokenHash: issued.userToken.hash,
    userTokenExpiresAt: now + ttl.userTokenTtlS,
    refreshTokenHash: issued.refreshToken.hash,
    refreshTokenExpiresAt: now + ttl.refreshTokenTtlS,
    previousRefreshTokenHash: link.refreshTokenHash,
    refreshRotatedAt: now,
    rotationIssued: { userToken: issued.userToken.token, refreshToken: issued.refreshToken.token, until: now + ttl.graceS },
    spentRefreshTokens: spent.slice(-MAX_SPENT_TOKENS),
  };
}

/**
 * The link as it may be stored: a kept pair whose grace ended before this write (`updatedAt`, which
 * every writer sets to its own now), or on a link no longer active, is dropped, and so are spent hashes
 * past their expiry. Every LinkStore applies it on every write, so no pair outlives the write after its grace.
 */
export function atRest(link: Link): Link {
  const { rotationIssued, spentRefreshTokens, ...rest } = link;
  // A pair kept by a release before `until` existed had the default grace.
  const until = rotationIssued?.until ?? (link.refreshRotatedAt ?? 0) + DEFAULT_GRACE_S;
  const keep = rotationIssued !== undefined && until >= link.updatedAt && link.status === 'active';
  const spent = spentRefreshTokens && liveSpent(spentRefreshTokens, link.updatedAt);
  return { ...rest, ...(keep ? { rotationIssued } : {}), ...(spent ? { spentRefreshTokens: spent } : {}) };
}

/** Every hash of the family that proves a holder of the link (RFC 7009's revocation takes any of them). */
export function familyHashes(
  link: Pick<Link, 'userTokenHash' | 'refreshTokenHash' | 'previousRefreshTokenHash' | 'spentRefreshTokens'>,
  now: number,
) {
  const { userTokenHash, refreshTokenHash, previousRefreshTokenHash, spentRefreshTokens } = link;
  return [userTokenHash, refreshTokenHash, previousRefreshTokenHash, ...liveSpent(spentRefreshTokens, now).map((entry) => entry.hash)];
}

const liveSpent = (spent: SpentToken[] | undefined, now: number): SpentToken[] => (spent ?? []).filter((entry) => entry.expiresAt > now);

/**
 * The spent list before this rotation. A link last rotated by a release without the list starts it with
 * the token that rotation replaced; its expiry is unknown, so it is kept as long as it could have lived.
 */
function spentSoFar(link: Link, refreshTokenTtlS: number, now: number): SpentToken[] {
  if (link.spentRefreshTokens) return liveSpent(link.spentRefreshTokens, now);
  if (link.previousRefreshTokenHash === undefined) return [];
  return liveSpent([{ hash: link.previousRefreshTokenHash, expiresAt: (link.refreshRotatedAt ?? now) + refreshTokenTtlS }], now);
}
