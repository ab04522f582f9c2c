/**
 * A link ties one Homebase account to one vendor account. Each login or OAuth authorisation makes a
 * new link with tokens of its own, so two Homebase accounts linking the same vendor user never share
 * (or break) each other's tokens.
 */

export type UpstreamKind = 'usercenter' | 'oauth';

export type LinkStatus = 'active' | 'needs_relink' | 'revoked';

/** The vendor-side credentials the driver uses on the user's behalf. */
export interface UpstreamCredentials {
  accessToken: string;
  refreshToken?: string;
  /** Epoch seconds; absent when the upstream did not say. */
  expiresAt?: number;
  /** Every other field of the upstream's token response (scope, open_id, mac_key, ...). */
  extra: Record<string, unknown>;
}

/** A driver userToken and refreshToken, as issued together. */
export interface IssuedPair {
  userToken: string;
  refreshToken: string;
}

/** The pair a rotation issued, kept for a retry of that rotation until `until` (the end of its grace). */
export interface KeptPair extends IssuedPair {
  /** Epoch seconds. Absent on a pair kept by a release before 2026-12-06, whose grace was 60 s. */
  until?: number;
}

/** A refresh token the link has replaced: its hash, and when it would have expired. */
export interface SpentToken {
  hash: string;
  expiresAt: number;
}

export interface Link {
  linkId: string;
  vendorUserId: string;
  /** Which upstream issued the credentials, and so which one refreshes them. */
  upstream: UpstreamKind;
  /** The redirect_uri the OAuth grant was made with; some servers want it on every refresh. */
  upstreamRedirectUri?: string;
  credentials: UpstreamCredentials;
  status: LinkStatus;
  /** SHA-256 of the driver-issued tokens; the tokens themselves are never stored. */
  userTokenHash: string;
  userTokenExpiresAt: number;
  refreshTokenHash: string;
  refreshTokenExpiresAt: number;
  /** The refresh token this one replaced, and when: a retried OAuthRefresh within the grace window gets the same answer. */
  previousRefreshTokenHash?: string;
  refreshRotatedAt?: number;
  /**
   * The pair that rotation issued, kept for that same answer until its grace ends or the pair is first
   * used (refresh-family.ts). The tokens are random, so they are kept themselves: sealed with the
   * credentials at rest, never in clear, and dropped by the first write after `until`.
   */
  rotationIssued?: KeptPair;
  /**
   * Every refresh token of the link's family it has replaced, oldest first, until each would have expired
   * (at most MAX_SPENT_TOKENS): any of them presented again is a replay, however many rotations ago it was spent.
   */
  spentRefreshTokens?: SpentToken[];
  /**
   * When the refresh job should next refresh the upstream credentials (epoch seconds). Absent when
   * they cannot be refreshed (no refresh token) or must not be (the link needs a relink). On a revoked
   * link whose upstream revocation failed, when the job tries that again.
   */
  refreshDueAt?: number;
  /** The last time the upstream credentials were obtained or refreshed. */
  lastRefreshedAt: number;
  /** Transient refresh failures since the last success; drives the backoff. */
  refreshFailures: number;
  /** Who is refreshing the link right now, and until when their claim holds. */
  leaseOwner?: string;
  leaseExpiresAt?: number;
  createdAt: number;
  updatedAt: number;
  /** Incremented by every write; each update is conditional on the version it read. */
  version: number;
}
