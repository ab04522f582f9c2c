/**
 * A link ties one Homebase account to one vendor account. Each login or OAuth authorisation makes a
 * new link with tokens of its own, so two Homebase accounts linking the same vendor user never share
 * (or break) each other's tokens.
 */

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

export interface Link {
  linkId: string;
  vendorUserId: string;
  /** Which upstream issued the credentials. */
  upstream: 'usercenter';
  credentials: UpstreamCredentials;
  status: LinkStatus;
  /** SHA-256 of the driver-issued tokens; the tokens themselves are never stored. */
  userTokenHash: string;
  userTokenExpiresAt: number;
  refreshTokenHash: string;
  refreshTokenExpiresAt: number;
  createdAt: number;
  updatedAt: number;
  /** Incremented by every write; each update is conditional on the version it read. */
  version: number;
}
