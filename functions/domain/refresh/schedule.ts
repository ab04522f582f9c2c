/**
 * When a link's upstream credentials should be refreshed. Pure functions of the link and the time,
 * so every edge can be tested with a fake clock.
 */
import type { Link } from '../vault/link.ts';

export interface RefreshPolicy {
  /** Refresh this long before the upstream access token expires (REFRESH_LEAD_S). */
  leadS: number;
  /** Refresh at least this often even when the token does not expire, since some providers revoke unused refresh tokens. */
  maxIdleS: number;
  /** An inline refresh (from /list or /execute) happens when the token expires within this window. */
  skewS: number;
  /** Backoff after a transient failure: base · 2^(failures-1), capped, with jitter. */
  backoffBaseS: number;
  backoffMaxS: number;
}

export const DEFAULT_POLICY: RefreshPolicy = {
  leadS: 600,
  maxIdleS: 24 * 3600,
  skewS: 60,
  backoffBaseS: 60,
  backoffMaxS: 3600,
};

/**
 * When every driver token of the link has expired: nothing can present them any more, so the refresh
 * job retires the link (revokes its upstream grant and deletes it). DynamoDB's TTL is only the backstop.
 */
export const retireAt = (link: Pick<Link, 'userTokenExpiresAt' | 'refreshTokenExpiresAt'>): number =>
  Math.max(link.userTokenExpiresAt, link.refreshTokenExpiresAt);

export const isRetired = (link: Pick<Link, 'userTokenExpiresAt' | 'refreshTokenExpiresAt'>, now: number): boolean => retireAt(link) <= now;

/** Is the job's work on this link to end it? Its driver tokens have expired, or an earlier revocation is unfinished. */
export const needsRetiring = (link: Link, now: number): boolean => link.status === 'revoked' || isRetired(link, now);

/**
 * When the refresh job next has work on the link, which is where the store files it in the due index:
 * its refresh, its retirement, or (for a revoked link whose upstream revocation failed) the retry that
 * `refreshDueAt` then holds.
 */
export function nextVisitAt(link: Link): number {
  if (link.status === 'revoked') return link.refreshDueAt ?? link.updatedAt;
  const retirement = retireAt(link);
  return link.status === 'active' && link.refreshDueAt !== undefined ? Math.min(link.refreshDueAt, retirement) : retirement;
}

/** Is the job's work on this link still to be done? False once someone else has refreshed it. */
export const isDue = (link: Link, now: number): boolean =>
  link.status === 'active' && link.refreshDueAt !== undefined && link.refreshDueAt <= now;

/** Must /list or /execute refresh before using the token? True from `skewS` before expiry onwards. */
export const expiresSoon = (credentials: { expiresAt?: number | undefined }, now: number, policy: RefreshPolicy): boolean =>
  credentials.expiresAt !== undefined && credentials.expiresAt - policy.skewS <= now;

/** Has the upstream token expired? A token is good up to, not including, its expiry second. */
export const hasExpired = (credentials: { expiresAt?: number | undefined }, now: number): boolean =>
  credentials.expiresAt !== undefined && credentials.expiresAt <= now;
