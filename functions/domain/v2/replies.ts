/**
 * The port v2's at-most-once delivery needs (functions/domain/v2/directives.ts): each Control's answer, kept
 * per (user, messageId). functions/adapters/dynamodb/reply-store.ts implements it; ports.ts re-exports it.
 */

/** A v2 directive's answer as first given, kept so a retry with the same messageId gets it again and acts on nothing. */
export type ReplyClaim =
  | { kind: 'claimed'; claimId: string }
  | { kind: 'answered'; reply: unknown; fingerprint?: string }
  | { kind: 'in_progress'; fingerprint?: string };

/** At most once per message: one item per (user, messageId), every write conditional. */
export interface ReplyStore {
  /**
   * Claims the message for this invocation until `leaseUntil`, unless another holds a live claim or it
   * was answered (and the answer is kept until its own expiry, after `now`). `fingerprint` names what the
   * message asks, so that a messageId reused for another directive can be told from a resend.
   */
  claim(key: string, fingerprint: string, now: number, leaseUntil: number): Promise<ReplyClaim>;
  /** The answer, kept until `keepUntil`, if the claim is still this one's (a lapsed claim taken over keeps the other's). */
  save(key: string, claimId: string, reply: unknown, keepUntil: number): Promise<void>;
  /** Gives the claim back (the work failed for a reason of the driver's own; a retry may try again). */
  release(key: string, claimId: string): Promise<void>;
  /** What a claim would meet now: an answer, a live claim, or nothing (undefined). */
  read(key: string, now: number): Promise<Exclude<ReplyClaim, { kind: 'claimed' }> | undefined>;
}
