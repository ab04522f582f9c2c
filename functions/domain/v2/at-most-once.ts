/**
 * At most once per (user, messageId), for the v2 directives that change something (Control, AcceptGrant). Rokid
 * resends a message it believes lost with the same messageId; the resend must never act a second time.
 *
 * A message's record moves claimed → dispatched → answered (functions/domain/v2/replies.ts):
 * - claimed: this delivery holds the message until its invocation ends. Nothing has been asked yet, so a claim
 *   that lapses (the invocation died) may be taken over, and a failure that changed nothing gives it back.
 * - dispatched: written just before the device cloud is asked. From then on no delivery acts again. A resend meets
 *   the kept answer; or, once the dispatching invocation has ended without keeping one (it died, or the answer
 *   could not be written), the endpoint's current state, counted and logged as unconfirmed.
 * - answered: only final answers are kept: what the device did, or a refusal a resend would meet again.
 *
 * Powertools' idempotency utility has no dispatched state: its in-progress record expires and the work runs
 * again (docs/architecture.md says what adopting it would cost).
 */
import type { Clock, Deadline, DiagnosticsLog, DirectiveMetrics, ReplyStore } from '../ports.ts';
import type { Invocation } from '../refresh/fresh-sessions.ts';
import { isFinalRefusal, mayHaveActed, V2Error } from './errors.ts';

/** How long an answer (or a dispatched record) is kept for a resend: Rokid resends within seconds. */
export const REPLY_KEEP_S = 600;

export interface Delivery {
  /** hashedKey(user, messageId): the record's key. */
  key: string;
  /** What the message asks: a messageId reused for something else is not a resend. */
  fingerprint: string;
  messageId: string;
  /** For the unconfirmed log line. */
  directive: string;
  endpointId?: string | undefined;
  invocation: Invocation;
  deadline: Deadline;
}

export interface OnceWork {
  /** Does the work. Calls `dispatch()` right before the side effect, and stops if it throws. Answers the reply. */
  act(dispatch: () => Promise<void>): Promise<unknown>;
  /** The answer to a resend of a message whose dispatching delivery kept none. */
  unconfirmed(): Promise<unknown>;
  /** A failure as the reply kept for resends (an ErrorResponse). */
  replyFor(error: unknown): unknown;
}

export class AtMostOnce {
  readonly #replies: ReplyStore;
  readonly #clock: Clock;
  readonly #log: DiagnosticsLog;
  readonly #metrics: DirectiveMetrics;
  readonly #pollMs: number;

  constructor(deps: { replies: ReplyStore; clock: Clock; log: DiagnosticsLog; metrics: DirectiveMetrics; pollMs?: number }) {
    this.#replies = deps.replies;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#pollMs = deps.pollMs ?? 50;
  }

  async run(delivery: Delivery, work: OnceWork): Promise<unknown> {
    const { key, fingerprint, messageId, deadline } = delivery;
    for (;;) {
      const now = this.#clock.now();
      // The claim lasts as long as this invocation can: past its end, nobody is at work on it.
      const leaseUntil = now + Math.ceil(Math.max(0, delivery.invocation.remainingMs()) / 1000) + 1;
      const claim = await this.#replies.claim(key, fingerprint, now, leaseUntil);
      if (claim.state === 'claimed') return this.#act(delivery, claim.claimId, work);
      // A resend asks the same; the same messageId asking something else is a client's mistake, not a resend.
      if (claim.fingerprint !== undefined && claim.fingerprint !== fingerprint) {
        throw new V2Error(
          'E_INTERNAL_ERROR',
          `messageId ${messageId.slice(0, 64)} was used in the last 10 minutes for a different directive; send each message with a messageId of its own.`,
        );
      }
      if (claim.state === 'answered') return claim.reply;
      if (claim.state === 'dispatched' && claim.leaseUntil <= now) return this.#unconfirmed(delivery, work);
      if (deadline.remainingMs() <= this.#pollMs * 2) {
        throw new V2Error(
          'E_ENDPOINT_BUSY',
          `Message ${messageId.slice(0, 64)} is already being handled by an earlier delivery, whose answer was not ready in time. Ask again in a moment.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
  }

  async #act(delivery: Delivery, claimId: string, work: OnceWork): Promise<unknown> {
    const { key } = delivery;
    let dispatched = false;
    // A dispatch that fails (written or not, nobody knows) has acted on nothing: the failure gives the message back.
    const dispatch = async () => {
      if (!(await this.#replies.dispatch(key, claimId, this.#clock.now() + REPLY_KEEP_S))) throw new ClaimLost(delivery.messageId);
      dispatched = true;
    };
    let reply: unknown;
    try {
      reply = await work.act(dispatch);
    } catch (error) {
      if (error instanceof ClaimLost) throw error.answer;
      // Asked, and the outcome unknown: the record stays dispatched, so no resend acts again.
      if (dispatched && mayHaveActed(error)) throw error;
      if (!isFinalRefusal(error)) {
        // Nothing changed: a resend may try again.
        await this.#replies.release(key, claimId).catch(() => undefined);
        throw error;
      }
      reply = work.replyFor(error);
    }
    await this.#replies.save(key, claimId, reply, this.#clock.now() + REPLY_KEEP_S).catch((error: unknown) => {
      // The device acted and this answer stands; a resend finds the message dispatched and answers its current state.
      this.#log.warn('v2 answer not kept for resends', { messageId: delivery.messageId, errorName: errorNameOf(error) });
    });
    return reply;
  }

  async #unconfirmed(delivery: Delivery, work: OnceWork): Promise<unknown> {
    this.#log.warn('v2 answer unconfirmed', {
      messageId: delivery.messageId,
      directive: delivery.directive,
      endpointId: delivery.endpointId,
    });
    this.#metrics.unconfirmedAnswer();
    return work.unconfirmed();
  }
}

/** Our claim lapsed and another delivery took the message before we dispatched: we must not act. */
class ClaimLost extends Error {
  readonly answer: V2Error;

  constructor(messageId: string) {
    super('claim lost');
    this.answer = new V2Error(
      'E_ENDPOINT_BUSY',
      `Message ${messageId.slice(0, 64)} is being handled by a later delivery of it. Ask again in a moment.`,
    );
  }
}

const errorNameOf = (error: unknown): string => (error instanceof Error ? error.name : typeof error);
