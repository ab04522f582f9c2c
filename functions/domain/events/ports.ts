/**
 * What state reports need of the outside world (functions/domain/events): the grants, Rokid's token endpoint and
 * EventGateway, the durable queue, and the records that keep delivery once-only and in order. Adapters in
 * functions/adapters implement them; ../ports.ts re-exports them.
 */
import type { UpstreamGrant } from '../ports.ts';
import type { DeviceEvent } from './device-event.ts';
import type { EventGrant } from './grant.ts';

/** Grants, one item per Rokid user; every write conditional. */
export interface GrantStore {
  /** Stores the grant unless one granted later is kept already: false then. */
  replace(grant: EventGrant): Promise<boolean>;
  get(rokidUserId: string): Promise<EventGrant | undefined>;
  /** Replaces the grant if the stored one is still at `next.version - 1` (and, given `leaseOwner`, still leased to it). */
  update(next: EventGrant, options?: { leaseOwner?: string }): Promise<boolean>;
  /** Claims the grant for one refresher until `expiresAt`, unless a live lease exists; the grant as stored, or undefined. */
  acquireLease(rokidUserId: string, lease: { owner: string; expiresAt: number }, now: number): Promise<EventGrant | undefined>;
  releaseLease(rokidUserId: string, owner: string): Promise<void>;
  /** The Rokid users whose grants are due a refresh by `dueBy`, from the due index. */
  due(dueBy: number): AsyncIterable<string>;
  /** Every live grant of a vendor user, credentials open (an ended grant leaves the index, as it leaves the due index). */
  ofVendorUser(vendorUserId: string): Promise<EventGrant[]>;
  /** The Rokid users with a live grant for the vendor user, from the index alone: one read, nothing opened. */
  idsOfVendorUser(vendorUserId: string): Promise<string[]>;
}

/** Rokid's token endpoint for event tokens (`oauth-service.rokid.com/oauth/token`). Throws UpstreamError. */
export interface EventTokenIssuer {
  exchange(code: string, options: { timeoutMs: number }): Promise<UpstreamGrant>;
  refresh(refreshToken: string): Promise<UpstreamGrant>;
}

/** How Rokid's EventGateway answered one event: its HTTP status, or no answer at all. */
export type GatewayAnswer = { status: number } | { status: 'unreachable'; reason: string };

/** Rokid's EventGateway (`homebase-openapi.rokid.com/async/events`). */
export interface EventGateway {
  send(message: Record<string, unknown>, token: string): Promise<GatewayAnswer>;
}

/** Rokid's planned `/report/failed` (digest 7.2, step 6): tells Rokid a user's token is dead. Off when unset. */
export interface FailureReporter {
  reportFailed(rokidUserId: string): Promise<void>;
}

/** The durable queue between the webhook (or a device changed at the virtual cloud) and delivery. */
export interface EventQueue {
  /** Resolves once every event is stored durably; throws otherwise (some may have been stored: each is delivered once anyway). */
  enqueue(events: readonly DeviceEvent[]): Promise<void>;
}

/** One webhook event's id, seen in the last 24 hours: an event repeated by the device cloud is dropped. */
export type SeenClaim = { kind: 'new'; claimId: string } | { kind: 'seen' } | { kind: 'in_flight' };

export interface SeenEvents {
  /** Claims the id for this request until `leaseUntil`, unless it was queued before or another request holds it. */
  claim(key: string, now: number, leaseUntil: number): Promise<SeenClaim>;
  /** The event is queued: the id is kept as seen until `keepUntil`. */
  queued(key: string, claimId: string, keepUntil: number): Promise<void>;
  /** The event could not be queued: the id is free again for the device cloud's retry. */
  release(key: string, claimId: string): Promise<void>;
}

/** Where delivery stands for one endpoint of one Rokid user: what keeps events once-only and never backwards. */
export type PositionClaim =
  | { kind: 'claimed'; claimId: string }
  /** This event, or a newer one, was delivered already. */
  | { kind: 'superseded' }
  /** An older event is being delivered right now: this one waits its turn. */
  | { kind: 'busy' };

export interface DeliveryPositions {
  /** Claims the endpoint's next delivery for the event at `order` (sortable), unless a newer one went first. */
  claim(position: string, order: string, now: number, leaseUntil: number): Promise<PositionClaim>;
  /** Delivered: no older event is sent after this one. */
  delivered(position: string, claimId: string): Promise<void>;
  /** Not delivered (a retry follows): the claim is given back. */
  release(position: string, claimId: string): Promise<void>;
}
