/**
 * AcceptGrant (`Rokid.Authorization`, digest 4.4 and contradiction 5): Rokid hands the driver what it needs to send
 * a user's events. notify.md's grant is an authorization code to exchange at Rokid's token endpoint (RFC 6749
 * §4.1.3); authorization.md's older one is the token itself, kept as it is. Either way the grant is stored sealed
 * under the vendor user whose authorization sent it (grant.ts), replacing their older one of the same label.
 */
import * as v from 'valibot';
import type { Clock, Deadline } from '../ports.ts';
import { credentialsFrom } from '../refresh/refreshed-credentials.ts';
import { UpstreamError } from '../upstream-error.ts';
import { V2Error } from '../v2/errors.ts';
import type { EventGrant } from './grant.ts';
import { grantKeyOf } from './grant.ts';
import type { GrantRefresher } from './grant-refresher.ts';
import type { EventMetrics } from './metrics.ts';
import type { EventTokenIssuer, GrantStore } from './ports.ts';

const field = v.pipe(v.string(), v.nonEmpty(), v.maxLength(8192, 'expected at most 8192 characters'));

const GrantSchema = v.variant('type', [
  v.object({ type: v.literal('OAuth2.AuthorizationCode'), code: field, userId: field }),
  // authorization.md defines no userId here: one sent is ignored, so it cannot name (or end) anyone's grant.
  v.object({ type: v.literal('BearerToken'), token: field }),
]);

/** What the token call may take of the 3 s: the rest is the driver's own writes. */
const EXCHANGE_MAX_MS = 1800;

export class EventGrants {
  readonly #grants: GrantStore;
  readonly #issuer: EventTokenIssuer;
  readonly #refresher: GrantRefresher;
  readonly #clock: Clock;
  readonly #metrics: EventMetrics;
  readonly #nowMs: () => number;

  constructor(deps: {
    grants: GrantStore;
    issuer: EventTokenIssuer;
    refresher: GrantRefresher;
    clock: Clock;
    metrics: EventMetrics;
    nowMs?: () => number;
  }) {
    this.#grants = deps.grants;
    this.#issuer = deps.issuer;
    this.#refresher = deps.refresher;
    this.#clock = deps.clock;
    this.#metrics = deps.metrics;
    this.#nowMs = deps.nowMs ?? Date.now;
  }

  async accept(session: { vendorUserId: string; linkId?: string | undefined }, payload: unknown, deadline: Deadline): Promise<void> {
    const read = v.safeParse(
      GrantSchema,
      typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['grant'] : undefined,
    );
    if (!read.success) {
      throw new V2Error(
        'E_INTERNAL_ERROR',
        'AcceptGrant needs payload.grant: {type: "OAuth2.AuthorizationCode", code, userId} or {type: "BearerToken", token}.',
        { vendorCode: 'GRANT_MALFORMED' },
      );
    }
    const grant = read.output;
    const grantedAtMs = this.#nowMs();
    const label = grant.type === 'BearerToken' ? undefined : grant.userId;
    const credentials =
      grant.type === 'BearerToken'
        ? { accessToken: grant.token, extra: {} }
        : credentialsFrom(await this.#exchange(grant.code, deadline), this.#clock.now());
    const now = this.#clock.now();
    const stored: EventGrant = {
      key: grantKeyOf(label, session),
      ...(label === undefined ? {} : { rokidUserId: label, labelVerified: namedBy(credentials.extra) === label }),
      vendorUserId: session.vendorUserId,
      ...(session.linkId ? { linkId: session.linkId } : {}),
      type: grant.type,
      credentials,
      status: 'active',
      grantedAtMs,
      lastRefreshedAt: now,
      refreshFailures: 0,
      updatedAt: now,
      version: 1,
    };
    const dueAt = this.#refresher.dueAt(stored);
    if (dueAt !== undefined) stored.refreshDueAt = dueAt;
    // false: a later AcceptGrant of this vendor user and label is kept already, and it stands.
    await this.#grants.replace(stored);
    this.#metrics.grantAccepted();
  }

  async #exchange(code: string, deadline: Deadline) {
    try {
      return await this.#issuer.exchange(code, { timeoutMs: Math.max(100, Math.min(EXCHANGE_MAX_MS, deadline.remainingMs() - 500)) });
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      if (error.failure === 'unavailable') {
        // The code may have reached the endpoint and been used: a resend must not send it again.
        throw new V2Error(
          'E_INTERNAL_ERROR',
          "Rokid's token endpoint did not answer the code exchange in time. Bind the skill again in a moment.",
          { vendorCode: 'GRANT_EXCHANGE_UNAVAILABLE', mayHaveActed: true },
        );
      }
      if (error.failure === 'malformed') {
        throw new V2Error(
          'E_INTERNAL_ERROR',
          `Rokid's token endpoint answered the code exchange with something the driver cannot read: ${error.message}`,
          { vendorCode: 'GRANT_EXCHANGE_UNREADABLE', mayHaveActed: true },
        );
      }
      if (error.upstreamCode === 'invalid_client' || error.upstreamCode === 'unauthorized_client') {
        throw new V2Error(
          'E_INTERNAL_ERROR',
          "Rokid's token endpoint refused the driver's client credentials: its operators must check ROKID_EVENTS_CLIENT_ID and ROKID_EVENTS_CLIENT_SECRET against the console (上报设备状态).",
          { vendorCode: 'GRANT_CLIENT_REFUSED' },
        );
      }
      throw new V2Error(
        'E_INTERNAL_ERROR',
        `Rokid's token endpoint refused the grant code (${error.upstreamCode ?? 'refused'}): it may have been used or have expired. Bind the skill again.`,
        { vendorCode: 'GRANT_CODE_REFUSED' },
      );
    }
  }
}

/** The Rokid user the token endpoint's answer names, if it names one (no Rokid doc says it does). */
function namedBy(extra: Record<string, unknown>): string | undefined {
  const named = extra['userId'] ?? extra['user_id'];
  return typeof named === 'string' ? named : undefined;
}
