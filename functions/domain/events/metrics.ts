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
  /** A newer change of the same endpoint was delivered first, so this older one was not sent. */
  eventSuperseded(): void;
  grantAccepted(): void;
  grantRefreshed(): void;
  grantRefreshFailed(kind: FailureKind): void;
  grantEnded(reason: GrantEndReason): void;
}
