/**
 * A state-report grant (the digest's sections 4.4 and 7.2): what one Rokid user's AcceptGrant gave the driver,
 * the token it sends that user's events with. One grant per Rokid user; a newer AcceptGrant replaces the older
 * (a user who relinked gets each event once). Its credentials are sealed at rest, like a link's.
 */
import type { UpstreamCredentials } from '../vault/link.ts';

/** `OAuth2.AuthorizationCode` (notify.md, 2019): a code to exchange. `BearerToken` (authorization.md, 2018): the token itself. */
export type GrantType = 'OAuth2.AuthorizationCode' | 'BearerToken';

/** Why a grant stopped: Rokid refused its token for good, its gateway said the skill is off, or the link behind it was ended. */
export type GrantEndReason = 'refresh_refused' | 'token_refused' | 'gateway_forbidden' | 'link_revoked';

export interface EventGrant {
  /** Rokid's id for the user (`payload.grant.userId`); for an older grant that names none, see `grantKeyOf`. */
  rokidUserId: string;
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
  leaseOwner?: string;
  leaseExpiresAt?: number;
  updatedAt: number;
  /** Incremented by every write; each update is conditional on the version it read. */
  version: number;
}

/**
 * The key a grant is kept under. notify.md's grant names the Rokid user; authorization.md's older one does not,
 * so it is keyed by what made it: the link (one Rokid account's binding) or, for a JWT, the vendor user
 * (whose Rokid account Rokid created for them).
 */
export function grantKeyOf(grant: { userId?: string | undefined }, session: { linkId?: string | undefined; vendorUserId: string }): string {
  if (grant.userId) return grant.userId;
  return session.linkId ? `link:${session.linkId}` : `vendor:${session.vendorUserId}`;
}

export const isLive = (grant: EventGrant): boolean => grant.status === 'active';
