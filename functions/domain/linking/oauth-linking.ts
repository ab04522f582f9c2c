/**
 * Account linking over OAuth 2.0 with the driver as its own callback service (seeds 000/001 and 003).
 *
 * Homebase → `OAuth {callbackURL}` → a driver URL → the vendor's login page (code flow, PKCE S256,
 * `state`) → the driver's /oauth/callback → the link is stored → the browser goes to callbackURL
 * with a one-time driver code → `OAuthGetToken {code}` → the driver's own tokens.
 */
import { crypto } from '../../builtins.ts';
import * as v from 'valibot';
import { DriverError, InvalidAuthorizationError } from '../errors.ts';
import type { AuthorizationStore, Clock, DiagnosticsLog, OAuthUpstream, PendingAuthorization, UpstreamGrant } from '../ports.ts';
import { parseOrThrow } from '../protocol/validation.ts';
import { UpstreamError } from '../upstream-error.ts';
import type { IssuedUserAuth, TokenVault } from '../vault/token-vault.ts';
import { hashToken, linkIdOf, mintCode } from '../vault/tokens.ts';

const { createHash, randomBytes } = crypto;

export interface OAuthLinkingSettings {
  /** The driver's own base URL, from which its callback URLs are built. */
  publicBaseUrl: string;
  /** Origins allowed as callbackURL. A loopback origin without a port allows any port. */
  allowedCallbackOrigins: string[];
  /** `code` (seeds 000/001): a one-time code for OAuthGetToken. `tokens` (seed 002): the userAuth itself. */
  mode: 'code' | 'tokens';
  /** Seed 003's callback service answers for this appId only (the OAuth client id). */
  deviceAppId?: string | undefined;
}

const PENDING_TTL_S = 600;
const CODE_TTL_S = 300;
const DEVICE_TOKEN_TTL_S = 300;

/** What a browser route answers. */
export type BrowserAnswer =
  | { kind: 'redirect'; location: string }
  | { kind: 'page'; status: number; title: string; message: string }
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'text'; status: number; body: string };

const text = v.pipe(v.string(), v.nonEmpty());
export const OAuthParamsSchema = v.object({ callbackURL: v.pipe(text, v.maxLength(2048)) });
export const OAuthGetTokenParamsSchema = v.object({ code: v.pipe(text, v.maxLength(512)) });
export const OAuthRefreshParamsSchema = v.object({
  userId: v.optional(v.union([v.string(), v.number()])),
  userToken: v.optional(v.string()),
  refreshToken: v.pipe(text, v.maxLength(512)),
});

const EXPIRED_PAGE = {
  kind: 'page',
  status: 400,
  title: 'This sign-in link is no longer valid',
  message: 'It has expired, was already used, or was not issued by this service. Start linking your account again in the Rokid app.',
} as const;

export class OAuthLinking {
  readonly #upstream: OAuthUpstream;
  readonly #store: AuthorizationStore;
  readonly #vault: TokenVault;
  readonly #clock: Clock;
  readonly #settings: OAuthLinkingSettings;
  readonly #log: DiagnosticsLog;

  constructor(deps: {
    upstream: OAuthUpstream;
    store: AuthorizationStore;
    vault: TokenVault;
    clock: Clock;
    settings: OAuthLinkingSettings;
    log: DiagnosticsLog;
  }) {
    this.#upstream = deps.upstream;
    this.#store = deps.store;
    this.#vault = deps.vault;
    this.#clock = deps.clock;
    this.#settings = { ...deps.settings, publicBaseUrl: deps.settings.publicBaseUrl.replace(/\/+$/, '') };
    this.#log = deps.log;
  }

  /** The `OAuth` command: answers the URL Homebase opens, which embeds the encoded callbackURL. */
  async begin(callbackURL: string): Promise<string> {
    this.#checkCallback(callbackURL);
    const state = await this.#pending({ kind: 'homebase', callbackURL });
    return `${this.#settings.publicBaseUrl}/oauth/start?state=${state}&callbackURL=${encodeURIComponent(callbackURL)}`;
  }

  /** GET /oauth/start: on to the vendor's authorization endpoint. */
  async start(query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const state = query['state'];
    const pending = state ? await this.#store.peekPending(hashToken(state), this.#clock.now()) : undefined;
    if (!state || !pending || pending.target.kind !== 'homebase') return EXPIRED_PAGE;
    return { kind: 'redirect', location: await this.#authorizationUrl(state, pending, `${this.#settings.publicBaseUrl}/oauth/callback`) };
  }

  /** GET /oauth/callback: consume the pending authorization once, link, and send the browser back to Homebase. */
  async callback(query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const pending = await this.#consume(query['state']);
    if (!pending || pending.target.kind !== 'homebase') return EXPIRED_PAGE;
    const { callbackURL } = pending.target;
    const back = (params: Record<string, string>): BrowserAnswer => ({ kind: 'redirect', location: appendQuery(callbackURL, params) });
    if (query['error']) {
      return back({ error: query['error'], ...(query['error_description'] ? { error_description: query['error_description'] } : {}) });
    }
    if (!query['code']) return back({ error: 'invalid_request', error_description: 'The authorization server returned no code.' });

    let linked: { auth: IssuedUserAuth; linkId: string };
    try {
      const { grant, vendorUserId } = await this.#upstream.exchange({
        callbackParams: defined(query),
        redirectUri: `${this.#settings.publicBaseUrl}/oauth/callback`,
        codeVerifier: pending.codeVerifier,
      });
      const auth = await this.#vault.link(vendorUserId, 'oauth', grant);
      linked = { auth, linkId: linkIdOf('hbu', auth.userToken) ?? '' };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      this.#log.warn('OAuth code exchange failed', { failure: error.failure, reason: error.message });
      return back(exchangeError(error));
    }
    if (this.#settings.mode === 'tokens') {
      const { userId, userToken, refreshToken, expiresIn } = linked.auth;
      return back({ userId, userToken, refreshToken, expiresIn: String(expiresIn) });
    }
    const code = mintCode();
    await this.#store.saveCode(code.hash, linked.linkId, this.#clock.now() + CODE_TTL_S);
    return back({ code: code.code });
  }

  /** The `OAuthGetToken` command: the code works once, within 5 minutes. */
  async getToken(code: string): Promise<IssuedUserAuth> {
    const linkId = await this.#store.consumeCode(hashToken(code), this.#clock.now());
    if (!linkId) {
      throw new InvalidAuthorizationError('The authorization code is unknown, expired or already used. Link your account again in the Rokid app.');
    }
    return this.#vault.reissue(linkId);
  }

  // Seed 003: the callback service for engineers testing without Homebase.

  /** GET /device_oauth/{appId}/login?device_id&request_id → the authorize URL, as text. */
  async deviceLogin(appId: string, query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const checked = this.#deviceKey(appId, query);
    if (!checked.ok) return checked.answer;
    const key = checked.key;
    const state = await this.#pending({ kind: 'device', ...key });
    const pending = await this.#store.peekPending(hashToken(state), this.#clock.now());
    if (!pending) throw new Error('a pending authorization vanished as it was made');
    const url = await this.#authorizationUrl(state, pending, this.#deviceCallbackUrl(appId), { device_id: key.deviceId });
    return { kind: 'text', status: 200, body: url };
  }

  /** GET /device_oauth/{appId}/callback: exchanges the code, keeps the token 5 minutes, and shows it. */
  async deviceCallback(appId: string, query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const pending = await this.#consume(query['state']);
    if (!pending || pending.target.kind !== 'device' || pending.target.appId !== appId) return EXPIRED_PAGE;
    if (query['error'] || !query['code']) {
      return { kind: 'json', status: 400, body: { error: query['error'] ?? 'invalid_request', error_description: query['error_description'] ?? 'no code' } };
    }
    try {
      const { grant } = await this.#upstream.exchange({ callbackParams: defined(query), redirectUri: this.#deviceCallbackUrl(appId), codeVerifier: pending.codeVerifier });
      const token = tokenResponseOf(grant, pending.target.deviceId);
      const { appId: app, deviceId, requestId } = pending.target;
      await this.#store.saveDeviceToken({ appId: app, deviceId, requestId }, token, this.#clock.now());
      return { kind: 'json', status: 200, body: token };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return { kind: 'json', status: 502, body: exchangeError(error) };
    }
  }

  /** GET /device_oauth/{appId}/token?device_id&request_id: the token, within 5 minutes of issue. */
  async deviceToken(appId: string, query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const checked = this.#deviceKey(appId, query);
    if (!checked.ok) return checked.answer;
    const stored = await this.#store.deviceToken(checked.key);
    if (!stored || stored.issuedAt + DEVICE_TOKEN_TTL_S <= this.#clock.now()) {
      return {
        kind: 'json',
        status: 404,
        body: { error: 'not_found', error_description: 'No token for this device_id and request_id was issued in the last 5 minutes.' },
      };
    }
    return { kind: 'json', status: 200, body: stored.token };
  }

  #deviceKey(
    appId: string,
    query: Record<string, string | undefined>,
  ): { ok: true; key: { appId: string; deviceId: string; requestId: string } } | { ok: false; answer: BrowserAnswer } {
    if (!this.#settings.deviceAppId || appId !== this.#settings.deviceAppId) {
      const error_description = `This service answers for its own OAuth client id only, not "${appId.slice(0, 64)}".`;
      return { ok: false, answer: { kind: 'json', status: 404, body: { error: 'unknown_app', error_description } } };
    }
    const deviceId = query['device_id'];
    const requestId = query['request_id'];
    if (!deviceId || !requestId) {
      const error_description = 'device_id and request_id are required.';
      return { ok: false, answer: { kind: 'json', status: 400, body: { error: 'invalid_request', error_description } } };
    }
    return { ok: true, key: { appId, deviceId, requestId } };
  }

  #deviceCallbackUrl(appId: string): string {
    return `${this.#settings.publicBaseUrl}/device_oauth/${encodeURIComponent(appId)}/callback`;
  }

  async #pending(target: PendingAuthorization['target']): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.#store.savePending({
      stateHash: hashToken(state),
      codeVerifier: randomBytes(32).toString('base64url'),
      target,
      expiresAt: this.#clock.now() + PENDING_TTL_S,
    });
    return state;
  }

  async #consume(state: string | undefined): Promise<PendingAuthorization | undefined> {
    return state ? this.#store.consumePending(hashToken(state), this.#clock.now()) : undefined;
  }

  #authorizationUrl(state: string, pending: PendingAuthorization, redirectUri: string, extra?: Record<string, string>): Promise<string> {
    const codeChallenge = createHash('sha256').update(pending.codeVerifier).digest('base64url');
    return this.#upstream.authorizationUrl({ redirectUri, state, codeChallenge, ...(extra ? { extra } : {}) });
  }

  /** An open callback would hand a user's account to whoever chose the URL, so only allow-listed origins pass. */
  #checkCallback(callbackURL: string): void {
    let url: URL;
    try {
      url = new URL(callbackURL);
    } catch {
      throw new DriverError('params.callbackURL: expected an absolute URL.');
    }
    const allowed = this.#settings.allowedCallbackOrigins.some((origin) => originAllows(origin, url));
    if (!allowed) {
      throw new DriverError(
        `params.callbackURL: the origin ${url.origin} is not allowed to receive authorizations. Allowed: ${this.#settings.allowedCallbackOrigins.join(', ')}.`,
      );
    }
  }
}

/** `OAuth` and `OAuthGetToken`, their params checked. */
export const oauthCommands = (linking: OAuthLinking) => ({
  OAuth: async (params: Record<string, unknown>) =>
    linking.begin(parseOrThrow(OAuthParamsSchema, params, 'OAuth command', { prefix: 'params' }).callbackURL),
  OAuthGetToken: async (params: Record<string, unknown>) =>
    linking.getToken(parseOrThrow(OAuthGetTokenParamsSchema, params, 'OAuthGetToken command', { prefix: 'params' }).code),
});

/** `OAuthRefresh` rotates the driver's tokens of any link, however it was made. */
export const refreshCommands = (vault: TokenVault) => {
  const refresh = async (params: Record<string, unknown>) => {
    const { userId, refreshToken } = parseOrThrow(OAuthRefreshParamsSchema, params, 'OAuthRefresh command', { prefix: 'params' });
    return vault.rotate({ userId: userId === undefined ? undefined : String(userId), refreshToken });
  };
  // `refreshToken` is the name a production driver (homebase-driver-hass) uses for the same command.
  return { OAuthRefresh: refresh, refreshToken: refresh };
};

function originAllows(allowed: string, url: URL): boolean {
  let origin: URL;
  try {
    origin = new URL(allowed);
  } catch {
    return false;
  }
  if (origin.protocol !== url.protocol || origin.hostname !== url.hostname) return false;
  const loopback = origin.hostname === '127.0.0.1' || origin.hostname === 'localhost' || origin.hostname === '[::1]';
  return origin.port === url.port || (loopback && origin.port === '');
}

/**
 * callbackURL with parameters appended, every path and query part of it kept byte for byte (a
 * URLSearchParams round trip would re-encode them); a fragment stays at the end.
 */
export function appendQuery(callbackURL: string, params: Record<string, string>): string {
  const hash = callbackURL.indexOf('#');
  const base = hash === -1 ? callbackURL : callbackURL.slice(0, hash);
  const fragment = hash === -1 ? '' : callbackURL.slice(hash);
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}${fragment}`;
}

function exchangeError(error: UpstreamError): Record<string, string> {
  return error.failure === 'unavailable'
    ? { error: 'temporarily_unavailable', error_description: 'The account service did not answer. Try linking again in a few minutes.' }
    : { error: 'server_error', error_description: 'The account service refused the sign-in. Try linking again.' };
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

const defined = (query: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
