/** What the domain counts and logs: metrics, security events and diagnostics, never given a token. */
import type { FailureKind } from './upstream-error.ts';

/** Counts upstream failures by kind, so a dashboard tells a refusing upstream from an unreadable one. */
export interface UpstreamMetrics {
  upstreamFailure(kind: FailureKind): void;
}

/** What the refresh machinery counts. Never given a token. */
export interface RefreshMetrics extends UpstreamMetrics {
  refreshed(lagS: number): void;
  transientFailure(): void;
  needsRelink(): void;
}

/** What revoking links counts: links ended, and upstream revocations that failed (and will be retried). */
export interface RevocationMetrics extends UpstreamMetrics {
  linkRevoked(): void;
  revocationFailed(): void;
}

/** What sign-in throttling (limits/attempt-limits.ts) counts: attempts refused before any password was checked. */
export interface SignInMetrics {
  signInThrottled(): void;
}

/** Events a security team wants to hear of: logged, counted and alarmed on. Never given a token. */
export interface SecurityEvents {
  /**
   * A spent refresh token came back when it could not be a retry; its link was revoked. `rotationsAgo`
   * is 1 for the token the last rotation replaced (presented after its grace), 2 or more for older ones.
   */
  refreshTokenReplayed(details: { linkId: string; vendorUserId: string; rotationsAgo: number }): void;
}

/** Structured diagnostics. Powertools' Logger fits it as it is. */
export interface DiagnosticsLog {
  warn(message: string, details: Record<string, unknown>): void;
  info(message: string, details: Record<string, unknown>): void;
}

/** What v2's at-most-once delivery counts (functions/domain/v2/at-most-once.ts). */
export interface DirectiveMetrics {
  /** A resend was answered from the endpoint's current state: the first delivery acted or not, nobody knows. */
  unconfirmedAnswer(): void;
}
