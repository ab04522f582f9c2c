/**
 * Delivers one queued event to Rokid: once to every Rokid user holding a live grant for its vendor user, as the
 * report its type calls for, never an older state of an endpoint after a newer one. What the gateway answers
 * decides what happens next (event-gateway.md, the digest's 7.1):
 *
 * | gateway                     | here                                                                |
 * |-----------------------------|---------------------------------------------------------------------|
 * | 202                         | delivered                                                           |
 * | 401 (token expired)         | the token is refreshed once and the event resent, same messageId    |
 * | 403 (skill off, token dead) | the grant ends; nothing more is sent with it                        |
 * | 400, 422                    | dead-lettered and counted; never retried                            |
 * | 5xx, 429, no answer         | retried with backoff (first within 30 s), dead-lettered after hours |
 */

import { crypto } from '../../runtime/builtins.ts';
import type { DeviceService } from '../devices/device-service.ts';
import { DeviceNotFoundError, HomebaseError } from '../errors.ts';
import type { Clock, CloudSession, DiagnosticsLog } from '../ports.ts';
import type { Device } from '../protocol/device.ts';
import type { DeviceEvent } from './device-event.ts';
import type { EventGrant } from './grant.ts';
import { isLive } from './grant.ts';
import type { GrantRefresher } from './grant-refresher.ts';
import type { EventMetrics } from './metrics.ts';
import type { DeliveryPositions, EventGateway, GatewayAnswer, GrantStore } from './ports.ts';
import { addOrUpdateReport, changeReport, deleteReport, eventMessageId, type Report, withToken } from './reports.ts';

const { createHash } = crypto;

export type DeliveryOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; delayS: number; reason: string }
  | { kind: 'dead_letter'; reason: string };

/**
 * How many times the queue hands an event over before its redrive sets it aside (the stack's maxReceiveCount).
 * With `retryDelayS`, that is 15 s + 30 s + … + 900 s × 5: 91 minutes of retries, over the hour an outage may last.
 */
export const MAX_DELIVERIES = 12;

/** The wait before the `attempt`-th retry: 15 s, doubling to 15 minutes. */
export const retryDelayS = (attempt: number): number => Math.min(900, 15 * 2 ** Math.max(0, attempt - 1));
/** An older event of the endpoint is on its way: this one waits only briefly. */
const BUSY_DELAY_S = 5;
/** How long one delivery may hold an endpoint: the gateway's timeout, a token refresh and a resend. */
const POSITION_LEASE_S = 30;

/** A session on the device cloud for a vendor user, with no request from them: the driver's service credential. */
export type SessionFor = (vendorUserId: string) => CloudSession;

type GrantResult =
  | { kind: 'delivered' | 'superseded' | 'ended' }
  | { kind: 'retry'; reason: string; busy?: boolean }
  | { kind: 'dead_letter'; reason: string };

export class ReportDelivery {
  readonly #grants: GrantStore;
  readonly #gateway: EventGateway;
  readonly #positions: DeliveryPositions;
  readonly #refresher: GrantRefresher;
  readonly #devices: DeviceService;
  readonly #sessionFor: SessionFor;
  readonly #clock: Clock;
  readonly #metrics: EventMetrics;
  readonly #log: DiagnosticsLog;

  constructor(deps: {
    grants: GrantStore;
    gateway: EventGateway;
    positions: DeliveryPositions;
    refresher: GrantRefresher;
    devices: DeviceService;
    sessionFor: SessionFor;
    clock: Clock;
    metrics: EventMetrics;
    log: DiagnosticsLog;
  }) {
    this.#grants = deps.grants;
    this.#gateway = deps.gateway;
    this.#positions = deps.positions;
    this.#refresher = deps.refresher;
    this.#devices = deps.devices;
    this.#sessionFor = deps.sessionFor;
    this.#clock = deps.clock;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
  }

  /** `attempt`: how many times the queue has handed this event over, this one included. */
  async deliver(event: DeviceEvent, attempt: number): Promise<DeliveryOutcome> {
    // Most vendor users have no grant: one index read says so, and nothing else is done for them.
    const ids = await this.#grants.idsOfVendorUser(event.vendorUserId);
    if (ids.length === 0) return { kind: 'done' };
    const reading = this.#reportOf(event);
    reading.catch(() => undefined); // each grant's delivery meets a failure, and answers it
    const results = await Promise.all(ids.map((id) => this.#toGrant(event, reading, id)));
    const deadLetter = results.find((result) => result.kind === 'dead_letter');
    if (deadLetter) {
      this.#metrics.eventDeadLettered(deadLetter.reason);
      return { kind: 'dead_letter', reason: deadLetter.reason };
    }
    const retries = results.filter((result) => result.kind === 'retry');
    if (retries.length > 0) {
      this.#metrics.eventRetried();
      const onlyBusy = retries.every((result) => result.busy);
      const reasons = [...new Set(retries.map((r) => r.reason))].join('; ');
      return { kind: 'retry', delayS: onlyBusy ? BUSY_DELAY_S : retryDelayS(attempt), reason: reasons };
    }
    return { kind: 'done' };
  }

  async #reportOf(event: DeviceEvent): Promise<Report | undefined> {
    if (event.type === 'deleted') return deleteReport(event);
    const device = await this.#device(event);
    const readAt = new Date().toISOString();
    if (event.type === 'added') {
      if (!device) return undefined;
      const report = addOrUpdateReport(device, readAt);
      if (!report) this.#log.warn('A new device is not reported: v2 cannot express it', { deviceId: event.deviceId });
      return report;
    }
    return changeReport(event, device, readAt);
  }

  /** The device as the cloud has it now; undefined when it is gone (a DeleteReport follows, or has been sent). */
  async #device(event: DeviceEvent): Promise<Device | undefined> {
    try {
      return await this.#devices.get(this.#sessionFor(event.vendorUserId), event.deviceId);
    } catch (error) {
      if (error instanceof DeviceNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * One Rokid user's delivery. The endpoint's place is claimed while the grant opens and the device is read: a first
   * delivery waits on one round trip for the three, not three in a row. A claim that turns out not to be needed (the
   * grant ended meanwhile, nothing to report) is given back.
   */
  async #toGrant(event: DeviceEvent, reading: Promise<Report | undefined>, rokidUserId: string): Promise<GrantResult> {
    const position = createHash('sha256').update(`${rokidUserId}\u0000${event.deviceId}`).digest('base64url');
    const now = this.#clock.now();
    const [grant, claim] = await Promise.all([
      this.#grants.get(rokidUserId),
      this.#positions.claim(position, event.order, now, now + POSITION_LEASE_S),
    ]);
    const giveBack = async () => {
      if (claim.kind === 'claimed') await this.#positions.release(position, claim.claimId).catch(() => undefined);
    };
    if (!grant || !isLive(grant) || grant.vendorUserId !== event.vendorUserId) {
      await giveBack();
      return { kind: 'ended' };
    }
    if (claim.kind === 'superseded') {
      this.#metrics.eventSuperseded();
      return { kind: 'superseded' };
    }
    if (claim.kind === 'busy') return { kind: 'retry', reason: 'an older change of this endpoint is being delivered', busy: true };
    let report: Report | undefined;
    try {
      report = await reading;
    } catch (error) {
      await giveBack();
      if (!(error instanceof HomebaseError)) throw error;
      return { kind: 'retry', reason: `the device cloud could not be read: ${error.name}` };
    }
    if (!report) {
      await giveBack();
      return { kind: 'ended' };
    }
    let result: GrantResult;
    try {
      result = await this.#send(event, report, grant);
    } catch (error) {
      await giveBack();
      throw error;
    }
    if (result.kind === 'delivered') await this.#positions.delivered(position, claim.claimId);
    else await this.#positions.release(position, claim.claimId);
    return result;
  }

  async #send(event: DeviceEvent, report: Report, grant: EventGrant): Promise<GrantResult> {
    const messageId = eventMessageId(event.key, grant.rokidUserId);
    let answer = await this.#gateway.send(withToken(report, messageId, grant.credentials.accessToken), grant.credentials.accessToken);
    if (answer.status === 401) {
      const renewed = await this.#renew(grant);
      if (renewed.kind !== 'renewed') return renewed.result;
      answer = await this.#gateway.send(withToken(report, messageId, renewed.token), renewed.token);
    }
    return this.#settle(answer, grant, event);
  }

  /** The gateway said the token expired: a fresh one, refreshed here unless someone else already has. */
  async #renew(grant: EventGrant): Promise<{ kind: 'renewed'; token: string } | { kind: 'failed'; result: GrantResult }> {
    const used = grant.credentials.accessToken;
    const outcome = await this.#refresher.refresh(grant.rokidUserId, {
      owner: `gateway-401:${crypto.randomUUID()}`,
      leaseS: POSITION_LEASE_S,
      needed: (current) => current.status === 'active' && current.credentials.accessToken === used,
    });
    switch (outcome.kind) {
      case 'refreshed':
        return { kind: 'renewed', token: outcome.grant.credentials.accessToken };
      case 'not_needed':
        return outcome.grant.status === 'active'
          ? { kind: 'renewed', token: outcome.grant.credentials.accessToken }
          : { kind: 'failed', result: { kind: 'ended' } };
      case 'ended':
      case 'gone':
        return { kind: 'failed', result: { kind: 'ended' } };
      default:
        return { kind: 'failed', result: { kind: 'retry', reason: 'the event token expired and could not be refreshed yet' } };
    }
  }

  async #settle(answer: GatewayAnswer, grant: EventGrant, event: DeviceEvent): Promise<GrantResult> {
    const { status } = answer;
    if (status === 'unreachable') return { kind: 'retry', reason: `Rokid's gateway did not answer: ${answer.reason}` };
    if (status >= 200 && status < 300) {
      this.#metrics.eventSent();
      return { kind: 'delivered' };
    }
    if (status === 403) {
      await this.#refresher.end(grant, 'gateway_forbidden');
      return { kind: 'ended' };
    }
    if (status === 400 || status === 422) {
      this.#log.warn("Rokid's gateway refused an event as malformed; it is set aside in the dead-letter queue", {
        status,
        eventType: event.type,
        deviceId: event.deviceId,
        rokidUserId: grant.rokidUserId,
      });
      return { kind: 'dead_letter', reason: `gateway_${status}` };
    }
    // 401 after a fresh token, 429, 5xx, a proxy's 404: worth another try later.
    return { kind: 'retry', reason: `Rokid's gateway answered HTTP ${status}` };
  }
}
