/**
 * What the gateway's answer to one report means for its grant (event-gateway.md, the digest's 7.1):
 *
 * | gateway                     | here                                                                         |
 * |-----------------------------|------------------------------------------------------------------------------|
 * | 202                         | delivered                                                                    |
 * | 401 (token expired)         | the token is refreshed once and the event resent, same messageId             |
 * | 403 (skill off, token dead) | confirmed first: refreshed and resent, and the grant ends only on a 403 to   |
 * |                             | the fresh token; a grant with no refresh token, only after an hour of 403s   |
 * | 400, 422                    | dead-lettered and counted; never retried                                     |
 * | 5xx, 429, no answer         | retried with backoff (first within 30 s), dead-lettered after hours          |
 *
 * A 403 not yet confirmed is retried as an outage is. A 403 to a fresh token means the skill is off (digest
 * 7.1): the grant ends, and Rokid, which turned it off, is not told (no `/report/failed`).
 */
import type { Clock, DiagnosticsLog } from '../ports.ts';
import type { DeviceEvent } from './device-event.ts';
import type { EventGrant } from './grant.ts';
import type { EventMetrics } from './metrics.ts';
import type { EventGateway, GatewayAnswer, GrantRenewer, GrantStore } from './ports.ts';
import { eventMessageId, type Report, withToken } from './reports.ts';
import { renewToken } from './token-renewal.ts';

/** How long 403s must last before a grant that cannot be refreshed (BearerToken) ends. */
const FORBIDDEN_FOR_S = 3600;

export type GrantResult =
  | { kind: 'delivered' | 'superseded' | 'ended' | 'ghost' | 'unchanged' }
  /** `busyUntil`: the endpoint is held by another delivery, whose lease lapses then (epoch seconds). */
  | { kind: 'retry'; reason: string; busy?: boolean; busyUntil?: number }
  | { kind: 'dead_letter'; reason: string };

export class GatewayPolicy {
  readonly #gateway: EventGateway;
  readonly #grants: GrantStore;
  readonly #refresher: GrantRenewer;
  readonly #clock: Clock;
  readonly #metrics: EventMetrics;
  readonly #log: DiagnosticsLog;
  readonly #leaseS: number;

  constructor(deps: {
    gateway: EventGateway;
    grants: GrantStore;
    refresher: GrantRenewer;
    clock: Clock;
    metrics: EventMetrics;
    log: DiagnosticsLog;
    leaseS: number;
  }) {
    this.#gateway = deps.gateway;
    this.#grants = deps.grants;
    this.#refresher = deps.refresher;
    this.#clock = deps.clock;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
    this.#leaseS = deps.leaseS;
  }

  /** Sends the report with the grant's token, renewing it on a 401 or a first 403, and settles the answer. */
  async send(event: DeviceEvent, report: Report, grant: EventGrant): Promise<GrantResult> {
    const messageId = eventMessageId(event.key, grant.key);
    const post = (token: string) => this.#gateway.send(withToken(report, messageId, token), token);
    const answer = await post(grant.credentials.accessToken);
    const refused = answer.status === 401 || (answer.status === 403 && grant.credentials.refreshToken !== undefined);
    if (!refused) return this.#settle(answer, grant, event, false);
    const renewed = await renewToken(this.#refresher, grant, answer.status === 401 ? '401' : '403', this.#leaseS);
    if (renewed.kind === 'ended') return { kind: 'ended' };
    if (renewed.kind === 'later') return { kind: 'retry', reason: renewed.reason };
    return this.#settle(await post(renewed.token), grant, event, true);
  }

  async #settle(answer: GatewayAnswer, grant: EventGrant, event: DeviceEvent, fresh: boolean): Promise<GrantResult> {
    const { status } = answer;
    if (status === 'unreachable') return { kind: 'retry', reason: `Rokid's gateway did not answer: ${answer.reason}` };
    if (status >= 200 && status < 300) {
      this.#metrics.eventSent();
      if (grant.forbiddenSince !== undefined) await this.#forbidden(grant, undefined);
      return { kind: 'delivered' };
    }
    if (status === 403) return this.#onForbidden(grant, fresh);
    if (status === 400 || status === 422) {
      this.#log.warn("Rokid's gateway refused an event as malformed; it is set aside in the dead-letter queue", {
        status,
        eventType: event.type,
        eventId: event.id,
        deviceId: event.deviceId,
        grantKey: grant.key,
      });
      return { kind: 'dead_letter', reason: `gateway_${status}` };
    }
    // 401 after a fresh token, 429, 5xx, a proxy's 404: worth another try later.
    return { kind: 'retry', reason: `Rokid's gateway answered HTTP ${status}` };
  }

  async #onForbidden(grant: EventGrant, fresh: boolean): Promise<GrantResult> {
    const now = this.#clock.now();
    const since = grant.forbiddenSince ?? now;
    if (fresh || now - since >= FORBIDDEN_FOR_S) {
      await this.#refresher.end(grant, 'gateway_forbidden');
      return { kind: 'ended' };
    }
    if (grant.forbiddenSince === undefined) await this.#forbidden(grant, now);
    return { kind: 'retry', reason: "Rokid's gateway answered HTTP 403; the grant ends only if that lasts an hour" };
  }

  /** Starts (or, given undefined, clears) a run of 403s; a grant changed meanwhile keeps what it has. */
  async #forbidden(grant: EventGrant, since: number | undefined): Promise<void> {
    const { forbiddenSince: _f, ...rest } = grant;
    const next: EventGrant = {
      ...rest,
      ...(since === undefined ? {} : { forbiddenSince: since }),
      updatedAt: this.#clock.now(),
      version: grant.version + 1,
    };
    await this.#grants.update(next).catch((error: unknown) => {
      this.#log.warn("A grant's run of 403s could not be recorded; the next 403 tries again", {
        grantKey: grant.key,
        reason: error instanceof Error ? error.name : String(error),
      });
    });
  }
}
