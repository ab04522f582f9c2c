/**
 * A state-report grant (the digest's sections 4.4 and 7.2): what an AcceptGrant gave the driver, the token it
 * sends one vendor user's events with. A grant belongs to the vendor user whose authorization accepted it: it is
 * kept under (that vendor user, Rokid's userId label), so a newer AcceptGrant of the same label replaces the older
 * (a user who relinked gets each event once), and no other vendor user's AcceptGrant can reach it. Its credentials
 * are sealed at rest, like a link's.
 */
import { hashedKey } from '../hashed-key.ts';
import type { UpstreamCredentials } from '../vault/link.ts';

/** `OAuth2.AuthorizationCode` (notify.md, 2019): a code to exchange. `BearerToken` (authorization.md, 2018): the token itself. */
export type GrantType = 'OAuth2.AuthorizationCode' | 'BearerToken';

/** Why a grant stopped: Rokid refused its token for good, its gateway said the skill is off, or the link behind it was ended. */
export type GrantEndReason = 'refresh_refused' | 'token_refused' | 'gateway_forbidden' | 'link_revoked';

export interface EventGrant {
  /** What the grant is kept under (`grantKeyOf`). */
  key: string;
  /**
   * Rokid's userId, as a code grant's AcceptGrant labelled it (`payload.grant.userId`); absent for a BearerToken
   * grant. Only a label Rokid's token endpoint confirmed (`labelVerified`) is ever told to `/report/failed`.
   */
  rokidUserId?: string;
  labelVerified?: boolean;
  /** The vendor user the events are about: the link's, or the JWT's `userId`. */
  vendorUserId: string;
  /** The link whose token made the AcceptGrant, when it was a BearerToken: revoking the link ends the grant. */
  linkId?: string;
  type: GrantType;
  credentials: UpstreamCredentials;
  status: 'active' | 'ended';
  endedBecause?: GrantEndReason;
  /** Milliseconds: of two AcceptGrants for one Rokid user, the later one is kept. */
  grantedAtMs: number;
  /** When the refresh job next refreshes the token (epoch seconds); absent when it cannot (no refresh token) or the grant ended. */
  refreshDueAt?: number;
  lastRefreshedAt: number;
  refreshFailures: number;
  /** Epoch seconds of the first of a run of the gateway's 403s to a grant that cannot be refreshed (BearerToken). */
  forbiddenSince?: number;
  leaseOwner?: string;
  leaseExpiresAt?: number;
  updatedAt: number;
  /** Incremented by every write; each update is conditional on the version it read. */
  version: number;
}

/**
 * The key a grant is kept under: the vendor user who accepted it, with Rokid's userId label (notify.md's code
 * grant). authorization.md's older BearerToken grant has no label the driver takes (the field is undocumented
 * there), so it is keyed by what made it: the link (one Rokid account's binding) or, for a JWT, the vendor user
 * alone (whose Rokid account Rokid created for them).
 */
export function grantKeyOf(label: string | undefined, session: { linkId?: string | undefined; vendorUserId: string }): string {
  if (label !== undefined) return hashedKey('label', session.vendorUserId, label);
  return session.linkId ? hashedKey('link', session.vendorUserId, session.linkId) : hashedKey('vendor', session.vendorUserId);
}

export const isLive = (grant: EventGrant): boolean => grant.status === 'active';
