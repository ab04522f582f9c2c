/**
 * The port v2's at-most-once delivery needs (functions/domain/v2/at-most-once.ts): one record per (user, messageId)
 * that moves claimed → dispatched → answered. functions/adapters/dynamodb/reply-store.ts implements it; ports.ts
 * re-exports it.
 */

/** Where a message stands, as another delivery of it finds it. */
export type MessageRecord =
  /** A delivery holds the message and has not yet asked the device cloud; its claim lapses at `leaseUntil`. */
  | { state: 'in_progress'; fingerprint?: string; leaseUntil: number }
  /**
   * A delivery has asked (or is asking) the device cloud. It never lapses into acting again: once `leaseUntil`
   * (the end of the dispatching invocation) has passed with no answer kept, the device may or may not have acted.
   */
  | { state: 'dispatched'; fingerprint?: string; leaseUntil: number }
  /** The final answer, kept for resends until it expires. */
  | { state: 'answered'; fingerprint?: string; reply: unknown };

/** A claim's outcome: this delivery holds the message now, or another's record stands. */
export type ReplyClaim = { state: 'claimed'; claimId: string } | MessageRecord;

/** At most once per message: one item per (user, messageId), every write conditional on the writer's claim. */
export interface ReplyStore {
  /**
   * Claims the message for this delivery until `leaseUntil`, unless a live claim, a dispatched one or a kept
   * answer stands (each until its own expiry, after `now`). `fingerprint` names what the message asks, so that
   * a messageId reused for another directive can be told from a resend. A claim whose write succeeded but whose
   * answer was lost (and retried) is recognised as this delivery's own.
   */
  claim(key: string, fingerprint: string, now: number, leaseUntil: number): Promise<ReplyClaim>;
  /**
   * Records that the device cloud is about to be asked; the record then stands until `keepUntil`. False when the
   * claim is no longer this delivery's (it lapsed and was taken over): the caller must not act.
   */
  dispatch(key: string, claimId: string, keepUntil: number): Promise<boolean>;
  /** The final answer, kept until `keepUntil`, if the claim is still this one's (a lapsed claim taken over keeps the other's). */
  save(key: string, claimId: string, reply: unknown, keepUntil: number): Promise<void>;
  /** Gives the claim back: nothing was changed, and a resend may try again. Never undoes a kept answer. */
  release(key: string, claimId: string): Promise<void>;
  /** What a claim would meet now: a record, or nothing (undefined). */
  read(key: string, now: number): Promise<MessageRecord | undefined>;
}
