/** What state reports count (docs/operations.md has the alarms on them). Never given a token. */
import type { FailureKind } from '../upstream-error.ts';
import type { GrantEndReason } from './grant.ts';

export interface EventMetrics {
  /** The webhook stored these events in the queue; `duplicates` it had seen before and dropped. */
  eventsQueued(queued: number, duplicates: number): void;
  /** Rokid's gateway accepted an event (202). */
  eventSent(): void;
  /** Not delivered this time (gateway 5xx, no answer, a busy endpoint): tried again with backoff. */
  eventRetried(): void;
  /** Refused as malformed (400, 422) or unreadable: set aside in the dead-letter queue, never retried. */
  eventDeadLettered(reason: string): void;
  /** A newer change of every interface it names was delivered first, so this older one was not sent. */
  eventSuperseded(): void;
  /** Nothing to send: an event without state that differs in nothing from what Rokid was last sent, or nothing v2 holds. */
  eventUnchanged(): void;
  /** A change of a device the device cloud does not list (read twice): not sent, so Rokid gets no ghost endpoint. */
  eventGhost(): void;
  grantAccepted(): void;
  grantRefreshed(): void;
  grantRefreshFailed(kind: FailureKind): void;
  grantEnded(reason: GrantEndReason): void;
}
