/**
 * What state reports need of the outside world (functions/domain/events): the grants, Rokid's token endpoint and
 * EventGateway, the durable queue, and the records that keep delivery once-only and in order. Adapters in
 * functions/adapters implement them, importing them from here (../ports.ts does not re-export them: it would close a cycle).
 */
import type { UpstreamGrant } from '../ports.ts';
import type { Limiter } from '../refresh/semaphore.ts';
import type { InterfaceState } from '../v2/states.ts';
import type { DeviceEvent } from './device-event.ts';
import type { EventGrant, GrantEndReason } from './grant.ts';

/** Grants, one item per key (grant.ts: a vendor user and Rokid's label); every write conditional. */
export interface GrantStore {
  /** Stores the grant unless one granted later is kept already under its key: false then. */
  replace(grant: EventGrant): Promise<boolean>;
  get(key: string): Promise<EventGrant | undefined>;
  /** Replaces the grant if the stored one is still at `next.version - 1` (and, given `leaseOwner`, still leased to it). */
  update(next: EventGrant, options?: { leaseOwner?: string }): Promise<boolean>;
  /**
   * Claims the grant for one refresher until `expiresAt`, unless a live lease exists; the grant as stored, or undefined.
   * As for links: the holder asking again (a retried write whose answer was lost) renews its own lease.
   */
  acquireLease(key: string, lease: { owner: string; expiresAt: number }, now: number): Promise<EventGrant | undefined>;
  releaseLease(key: string, owner: string): Promise<void>;
  /** The keys of the grants due a refresh by `dueBy`, from the due index. */
  due(dueBy: number): AsyncIterable<string>;
  /** Every live grant of a vendor user, credentials open (an ended grant leaves the index, as it leaves the due index). */
  ofVendorUser(vendorUserId: string): Promise<EventGrant[]>;
  /** The keys of the vendor user's live grants, from the index alone: one read, nothing opened (an older driver's grant met there is moved first). */
  idsOfVendorUser(vendorUserId: string): Promise<string[]>;
}

export type GrantRefreshOutcome =
  | { kind: 'refreshed'; grant: EventGrant }
  | { kind: 'not_needed'; grant: EventGrant }
  | { kind: 'busy' }
  | { kind: 'transient'; grant: EventGrant }
  | { kind: 'ended'; grant: EventGrant }
  | { kind: 'gone' };

export interface GrantRefreshRequest {
  /** Identifies this attempt in the lease; unique per attempt (a store renews a lease for the same owner). */
  owner: string;
  leaseS: number;
  /** Re-checked on the grant as read under the lease; false when someone else has done the work. */
  needed(grant: EventGrant, now: number): boolean;
  upstreamSlot?: Limiter;
}

/**
 * What delivery asks of a grant's refresh (GrantRefresher, grant-refresher.ts), and only after the gateway refused
 * a token: a fresh token under the grant's lease, or the grant ended. A port, so that the consumer can load the
 * refresher, Rokid's token client and the failure reporter on the first 401 or 403 rather than at import.
 */
export interface GrantRenewer {
  refresh(key: string, request: GrantRefreshRequest): Promise<GrantRefreshOutcome>;
  end(grant: EventGrant, reason: GrantEndReason): Promise<void>;
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

/**
 * Where delivery stands for one endpoint of one grant, read when its delivery is claimed: per interface (v2's name,
 * or `endpoint` for `added` and `deleted`), the order of the newest change about to be sent (`orders`, written before
 * the gateway is called, so that a delivery that dies after sending still holds older changes back) and of the
 * newest delivered; and what Rokid was last sent of each interface's state, by a report or a Control's Response.
 */
export interface EndpointPosition {
  orders: Record<string, string>;
  delivered: Record<string, string>;
  sent: Record<string, InterfaceState>;
}

export type PositionClaim =
  | { kind: 'claimed'; claimId: string; position: EndpointPosition }
  /**
   * Another delivery of this endpoint is under way: this one waits its turn. `until`: when its lease lapses;
   * `position`: where the endpoint stood when the claim was refused (what the holder intends included).
   */
  | { kind: 'busy'; until?: number; position?: EndpointPosition };

/** What a delivery leaves behind: the orders of the interfaces it settled, the states Rokid now has, the ones it no longer has. */
export interface PositionRecord {
  orders: Record<string, string>;
  sent: Record<string, InterfaceState>;
  unsent: readonly string[];
}

export interface DeliveryPositions {
  /** Holds the endpoint for one delivery until `leaseUntil`, unless another holds it; what it stands at. */
  claim(position: string, now: number, leaseUntil: number): Promise<PositionClaim>;
  /** About to send: the interfaces' orders are recorded first, whatever happens to the send; false when the claim was lost. */
  intend(position: string, claimId: string, orders: Record<string, string>): Promise<boolean>;
  /** Delivered (or nothing to send): records it, and gives the endpoint back. */
  delivered(position: string, claimId: string, record: PositionRecord): Promise<void>;
  /** Not delivered (a retry follows): the claim is given back. */
  release(position: string, claimId: string): Promise<void>;
  /** Rokid was told these states (a Control's Response); kept unless a delivery holds the endpoint right now. */
  recordSent(position: string, sent: Record<string, InterfaceState>, now: number): Promise<void>;
}
