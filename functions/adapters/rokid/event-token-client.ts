/**
 * Rokid's token endpoint for event tokens (digest 7.2 and contradiction 18): RFC 6749 §4.1.3 and §6, form-encoded.
 * The client-authentication style is not documented, so the driver sends HTTP Basic first and, when that gets a
 * 401 or a 400 `invalid_client`, the credentials in the form instead, and keeps to what worked for the container's
 * life. No redirect_uri is sent: AcceptGrant names none. Answers are read tolerantly (the token fields at the top
 * or under `data`, `expires_in` as a number or a numeric string); a refusal is told from an unreadable answer.
 */
import type { EventTokenIssuer } from '../../domain/events/ports.ts';
import { isRecord } from '../../domain/json.ts';
import type { UpstreamGrant } from '../../domain/ports.ts';
import { UpstreamError } from '../../domain/upstream-error.ts';
import { MAX_STORED_ANSWER_BYTES, requestText, TransportError } from '../http/request.ts';
import { parseJson } from '../http/request-json.ts';

export interface EventTokenClientSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: () => Promise<string>;
  timeoutMs: number;
}

type ClientAuth = 'basic' | 'form';

export class EventTokenClient implements EventTokenIssuer {
  readonly #settings: EventTokenClientSettings;
  #auth: ClientAuth = 'basic';

  constructor(settings: EventTokenClientSettings) {
    this.#settings = settings;
  }

  exchange(code: string, options: { timeoutMs: number }): Promise<UpstreamGrant> {
    return this.#grant({ grant_type: 'authorization_code', code }, options.timeoutMs);
  }

  refresh(refreshToken: string): Promise<UpstreamGrant> {
    return this.#grant({ grant_type: 'refresh_token', refresh_token: refreshToken }, this.#settings.timeoutMs);
  }

  async #grant(params: Record<string, string>, timeoutMs: number): Promise<UpstreamGrant> {
    const secret = await this.#settings.clientSecret();
    const first = this.#auth;
    let answer = await this.#post(params, secret, first, timeoutMs);
    if (first === 'basic' && refusedClient(answer)) {
      answer = await this.#post(params, secret, 'form', timeoutMs);
      if (!refusedClient(answer)) this.#auth = 'form';
    }
    return readGrant(answer);
  }

  async #post(params: Record<string, string>, secret: string, auth: ClientAuth, timeoutMs: number) {
    const { clientId, tokenUrl } = this.#settings;
    const form = new URLSearchParams(params);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (auth === 'basic')
      headers['authorization'] = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(secret)}`).toString('base64')}`;
    else {
      form.set('client_id', clientId);
      form.set('client_secret', secret);
    }
    try {
      const answer = await requestText(tokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        timeoutMs,
        maxBytes: MAX_STORED_ANSWER_BYTES,
      });
      return { status: answer.status, body: parseJson(answer.body) };
    } catch (error) {
      if (error instanceof TransportError && error.tooLarge)
        throw new UpstreamError('malformed', `Rokid's token endpoint sent an answer over ${MAX_STORED_ANSWER_BYTES} bytes`);
      if (error instanceof TransportError)
        throw new UpstreamError('unavailable', `Rokid's token endpoint: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

type Answer = { status: number; body: unknown };

const KEPT_FIELDS = new Set(['token_type', 'scope', 'userId', 'user_id']);

const errorCodeOf = (body: unknown): string | undefined =>
  isRecord(body) && typeof body['error'] === 'string' ? body['error'] : undefined;

const refusedClient = (answer: Answer): boolean =>
  answer.status === 401 || (answer.status === 400 && errorCodeOf(answer.body) === 'invalid_client');

function readGrant(answer: Answer): UpstreamGrant {
  const { status, body } = answer;
  if (status >= 500 || status === 429) throw new UpstreamError('unavailable', `Rokid's token endpoint answered HTTP ${status}`);
  if (status !== 200) {
    const code = errorCodeOf(body);
    if (code === undefined && status !== 400 && status !== 401) {
      throw new UpstreamError('malformed', `Rokid's token endpoint answered HTTP ${status} with no OAuth error`);
    }
    return refuse(code, status);
  }
  const fields = isRecord(body) && isRecord(body['data']) && body['access_token'] === undefined ? body['data'] : body;
  if (!isRecord(fields)) throw new UpstreamError('malformed', "Rokid's token endpoint answered HTTP 200 with a body that is not JSON");
  if (errorCodeOf(fields)) return refuse(errorCodeOf(fields), status);
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn, ...extra } = fields;
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new UpstreamError('malformed', "Rokid's token endpoint answered without an access_token");
  const seconds = typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  return {
    accessToken,
    ...(typeof refreshToken === 'string' && refreshToken !== '' ? { refreshToken } : {}),
    ...(typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? { expiresIn: Math.floor(seconds) } : {}),
    // The user it names, if any, confirms AcceptGrant's label (accept-grant.ts); nothing else is kept.
    extra: Object.fromEntries(Object.entries(extra).filter(([key]) => KEPT_FIELDS.has(key))),
  };
}

function refuse(code: string | undefined, status: number): never {
  const failure = code === 'invalid_grant' ? 'invalid_grant' : 'rejected';
  throw new UpstreamError(failure, `Rokid's token endpoint refused: ${code ?? `HTTP ${status}`}`, { upstreamCode: code ?? String(status) });
}

/** As client-auth.ts sends Basic: RFC 6749 §2.3.1's form encoding, with the unreserved characters left as they are. */
const formEncode = (text: string) =>
  encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
