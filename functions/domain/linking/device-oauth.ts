/**
 * Seed 003's OAuth callback service, for engineers testing a device without Homebase:
 * `login` answers the vendor's authorize URL, `callback` exchanges the code and keeps the token,
 * and `token` hands it over for 5 minutes after issue.
 */
import type { AttemptLimits } from '../limits/attempt-limits.ts';
import type { AuthorizationStore, Clock, UpstreamGrant } from '../ports.ts';
import { UpstreamError } from '../upstream-error.ts';
import { type BrowserAnswer, defined, EXPIRED_SIGN_IN } from './browser-answer.ts';
import { exchangeError, type UpstreamSignIn } from './upstream-sign-in.ts';

const DEVICE_TOKEN_TTL_S = 300;

type DeviceKey = { appId: string; deviceId: string; requestId: string };

export class DeviceOAuth {
  readonly #signIn: UpstreamSignIn;
  readonly #store: AuthorizationStore;
  readonly #clock: Clock;
  /** The service answers for this appId only (the driver's OAuth client id). */
  readonly #appId: string;
  readonly #publicBaseUrl: string;
  readonly #limits: AttemptLimits;

  constructor(deps: {
    signIn: UpstreamSignIn;
    store: AuthorizationStore;
    clock: Clock;
    appId: string;
    publicBaseUrl: string;
    limits: AttemptLimits;
  }) {
    this.#signIn = deps.signIn;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#appId = deps.appId;
    this.#publicBaseUrl = deps.publicBaseUrl.replace(/\/+$/, '');
    this.#limits = deps.limits;
  }

  /** GET /device_oauth/{appId}/login?device_id&request_id → the authorize URL, as text. */
  async login(appId: string, query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const checked = this.#deviceKey(appId, query);
    if (!checked.ok) return checked.answer;
    // The URL is opened on another device than the one asking: there is no browser to bind to.
    const { state, pending } = await this.#signIn.begin({ kind: 'device', ...checked.key }, { bind: false });
    const url = await this.#signIn.authorizationUrl(state, pending, this.#callbackUrl(appId), { device_id: checked.key.deviceId });
    return { kind: 'text', outcome: 'ok', body: url };
  }

  /** GET /device_oauth/{appId}/callback: exchanges the code, keeps the token 5 minutes, and shows it. */
  async callback(appId: string, query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const pending = await this.#signIn.consume(query['state'], {}, { bound: false });
    if (pending?.target.kind !== 'device' || pending.target.appId !== appId) return EXPIRED_SIGN_IN;
    if (query['error'] || !query['code']) {
      const body = { error: query['error'] ?? 'invalid_request', error_description: query['error_description'] ?? 'no code' };
      return { kind: 'json', outcome: 'bad_request', body };
    }
    try {
      const { grant } = await this.#signIn.exchange(defined(query), pending, this.#callbackUrl(appId));
      const { appId: app, deviceId, requestId } = pending.target;
      const token = tokenResponseOf(grant, deviceId);
      await this.#store.saveDeviceToken({ appId: app, deviceId, requestId }, token, this.#clock.now());
      return { kind: 'json', outcome: 'ok', body: token };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return { kind: 'json', outcome: 'upstream_failed', body: exchangeError(error) };
    }
  }

  /**
   * GET /device_oauth/{appId}/token?device_id&request_id: the token, within 5 minutes of issue. Whoever
   * knows the triple gets a raw upstream token, so queries that miss count as failed attempts, and past
   * the limits none is answered.
   */
  async token(appId: string, query: Record<string, string | undefined>, sourceIp: string): Promise<BrowserAnswer> {
    const checked = this.#deviceKey(appId, query);
    if (!checked.ok) return checked.answer;
    const attempt = { subject: checked.key.deviceId, sourceIp, limitAddress: true };
    const reservation = await this.#limits.reserve('device_oauth', attempt);
    if (reservation.kind === 'refused') {
      return { kind: 'json', outcome: 'rate_limited', body: { error: 'slow_down', error_description: reservation.refusal } };
    }
    const stored = await this.#store.deviceToken(checked.key);
    // A miss is a wrong guess: it stays counted.
    if (!stored || stored.issuedAt + DEVICE_TOKEN_TTL_S <= this.#clock.now()) {
      const error_description = 'No token for this device_id and request_id was issued in the last 5 minutes.';
      return { kind: 'json', outcome: 'not_found', body: { error: 'not_found', error_description } };
    }
    await (await reservation.succeeded()).done;
    return { kind: 'json', outcome: 'ok', body: stored.token };
  }

  #deviceKey(
    appId: string,
    query: Record<string, string | undefined>,
  ): { ok: true; key: DeviceKey } | { ok: false; answer: BrowserAnswer } {
    if (appId !== this.#appId) {
      const error_description = `This service answers for its own OAuth client id only, not "${appId.slice(0, 64)}".`;
      return { ok: false, answer: { kind: 'json', outcome: 'not_found', body: { error: 'unknown_app', error_description } } };
    }
    const deviceId = query['device_id'];
    const requestId = query['request_id'];
    if (!deviceId || !requestId || deviceId.length > 256 || requestId.length > 256) {
      const error_description = 'device_id and request_id are required, of at most 256 characters each.';
      return { ok: false, answer: { kind: 'json', outcome: 'bad_request', body: { error: 'invalid_request', error_description } } };
    }
    return { ok: true, key: { appId, deviceId, requestId } };
  }

  #callbackUrl(appId: string): string {
    return `${this.#publicBaseUrl}/device_oauth/${encodeURIComponent(appId)}/callback`;
  }
}

/** The token as the upstream sent it, for seed 003's engineers. */
function tokenResponseOf(grant: UpstreamGrant, deviceId: string): Record<string, unknown> {
  return {
    access_token: grant.accessToken,
    ...(grant.refreshToken ? { refresh_token: grant.refreshToken } : {}),
    ...grant.extra,
    device_id: deviceId,
    ...(grant.expiresIn !== undefined ? { expires_in: grant.expiresIn } : {}),
  };
}
