import { isRecord } from '../../domain/json.ts';
import type { PasswordUpstream, TokenRefresher, UpstreamGrant, UpstreamRevoker } from '../../domain/ports.ts';
import { UpstreamError, type UpstreamFailure } from '../../domain/upstream-error.ts';
import type { UpstreamCredentials } from '../../domain/vault/link.ts';
import { crypto } from '../../runtime/builtins.ts';
import { MAX_STORED_ANSWER_BYTES } from '../http/request.ts';
import { type JsonAnswer, requestJson, TransportError } from '../http/request-json.ts';

const { createHash } = crypto;

export interface UserCenterCredentials {
  sysId: string;
  clientId: string;
}

export interface UserCenterSettings {
  baseUrl: string;
  /** `sysid` and `client_id`: resolved per call, since deployed they come from Secrets Manager (cached). */
  credentials: () => Promise<UserCenterCredentials>;
  /** Digest used for `shapassword`: the seed says only "sha". */
  shaAlgorithm: 'sha1' | 'sha256' | 'sha512';
  timeoutMs: number;
  /** The key of the user id inside getUserByToken's `user`. */
  userIdField: string;
  /** UserCenter reports every failure as status 0; a message matching this means wrong credentials. */
  badCredentialsPattern: RegExp;
  /**
   * A refusal of refreshAccessToken matching this means the refresh token is dead (invalid_grant, so
   * the user must link again). Any other refusal ("system busy") is treated as passing.
   */
  deadRefreshTokenPattern: RegExp;
}

/** UserCenter's envelope: status 1 is success and 0 failure, the inverse of Homebase's. */
interface Envelope {
  status: number;
  result?: unknown;
  user?: unknown;
  [key: string]: unknown;
}

/**
 * A client for the vendor UserCenter OAuth2 API (seed 004). Request bodies follow the seed's JSON
 * examples exactly, including the spelling `destoryToken`. `result` arrives as a JSON *string* and
 * `expires_in` as a string; both are decoded here so the rest of the driver sees numbers.
 */
export class UserCenterClient implements PasswordUpstream, TokenRefresher, UpstreamRevoker {
  readonly #settings: UserCenterSettings;
  readonly #base: string;

  constructor(settings: UserCenterSettings) {
    this.#settings = settings;
    this.#base = settings.baseUrl.replace(/\/+$/, '');
  }

  /** POST /oauth/token with md5 and sha digests of the password. */
  async tokenByPassword(username: string, password: string): Promise<UpstreamGrant> {
    const { sysId, clientId } = await this.#settings.credentials();
    const envelope = await this.#post(
      '/oauth/token',
      {
        sysid: sysId,
        username,
        client_id: clientId,
        md5password: digest('md5', password),
        shapassword: digest(this.#settings.shaAlgorithm, password),
      },
      'invalid_credentials',
    );
    return grantFrom(envelope);
  }

  /** POST /oauth/token with a validate code (an SMS code, typically). */
  async tokenByValidateCode(username: string, validateCode: string): Promise<UpstreamGrant> {
    const { sysId, clientId } = await this.#settings.credentials();
    const envelope = await this.#post('/oauth/token', { sysid: sysId, username, client_id: clientId, validateCode }, 'invalid_credentials');
    return grantFrom(envelope);
  }

  /** POST /user/checkOauthToken: whether UserCenter still accepts the token, with its own wording. */
  async checkToken(accessToken: string): Promise<{ valid: boolean; detail: string }> {
    try {
      const envelope = await this.#post('/user/checkOauthToken', { accessToken });
      return { valid: true, detail: typeof envelope.result === 'string' ? envelope.result : '' };
    } catch (error) {
      if (error instanceof UpstreamError && error.failure === 'rejected') return { valid: false, detail: error.message };
      throw error;
    }
  }

  /** POST /user/getUserByToken: the vendor's id for the token's user. */
  async userIdOf(accessToken: string): Promise<string> {
    const envelope = await this.#post('/user/getUserByToken', { accessToken }, 'invalid_grant');
    const user = decodeJson(envelope.user ?? envelope.result, 'user');
    const id = isRecord(user) ? (user[this.#settings.userIdField] ?? user['id']) : undefined;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') {
      throw new UpstreamError('malformed', `UserCenter's user has no "${this.#settings.userIdField}"`);
    }
    return String(id);
  }

  /** POST /oauth/destoryToken (sic): ends the token upstream. */
  async destroyToken(accessToken: string): Promise<void> {
    await this.#post('/oauth/destoryToken', { access_token: accessToken });
  }

  /**
   * Ends the access token with destroyToken. UserCenter answers status 0 for a token it no longer
   * knows, which is the outcome revocation wants; outages and unreadable answers still fail.
   */
  async revoke(credentials: UpstreamCredentials): Promise<'revoked'> {
    try {
      await this.destroyToken(credentials.accessToken);
    } catch (error) {
      if (!(error instanceof UpstreamError && error.failure === 'rejected')) throw error;
    }
    return 'revoked';
  }

  /** POST /oauth/refreshAccessToken. A refusal naming the token is `invalid_grant`: the user must sign in again. */
  async refresh(refreshToken: string): Promise<UpstreamGrant> {
    const envelope = await this.#post(
      '/oauth/refreshAccessToken',
      { refresh_token: refreshToken },
      'invalid_grant',
      this.#settings.deadRefreshTokenPattern,
    );
    return grantFrom(envelope);
  }

  /** POST /oauth/getTempToken: a short-lived token derived from the access token. */
  async tempToken(accessToken: string): Promise<string> {
    const envelope = await this.#post('/oauth/getTempToken', { accessToken }, 'invalid_grant');
    if (typeof envelope.result !== 'string' || envelope.result === '') {
      throw new UpstreamError('malformed', 'UserCenter answered getTempToken without a token');
    }
    return envelope.result;
  }

  /**
   * `refusal` is what a status 0 means for this call when its message matches the bad-credentials
   * pattern (`badCredentialsPattern` unless another is given); any other status 0 is a plain rejection.
   */
  async #post(
    path: string,
    body: Record<string, string>,
    refusal?: UpstreamFailure,
    pattern: RegExp = this.#settings.badCredentialsPattern,
  ): Promise<Envelope> {
    let answer: JsonAnswer;
    try {
      answer = await requestJson(`${this.#base}${path}`, {
        method: 'POST',
        body,
        timeoutMs: this.#settings.timeoutMs,
        maxBytes: MAX_STORED_ANSWER_BYTES,
      });
    } catch (error) {
      if (error instanceof TransportError)
        throw new UpstreamError(error.tooLarge ? 'malformed' : 'unavailable', error.message, { cause: error });
      throw error;
    }
    const { status, ok, body: envelope } = answer;
    if (status >= 500 || status === 429) {
      throw new UpstreamError('unavailable', `HTTP ${status}`, { upstreamCode: String(status) });
    }
    if (!ok) throw new UpstreamError('rejected', `HTTP ${status}`, { upstreamCode: String(status) });
    if (!isRecord(envelope) || (envelope['status'] !== 0 && envelope['status'] !== 1)) {
      throw new UpstreamError('malformed', 'UserCenter answered without a status of 0 or 1');
    }
    if (envelope['status'] === 1) return envelope as Envelope;
    const message = describeRefusal(envelope);
    const failure = refusal && pattern.test(message) ? refusal : 'rejected';
    throw new UpstreamError(failure, message);
  }
}

function grantFrom(envelope: Envelope): UpstreamGrant {
  const result = decodeJson(envelope.result, 'result');
  if (!isRecord(result)) throw new UpstreamError('malformed', 'UserCenter result is not an object');
  const { accessToken, refreshToken, expires_in: expiresIn, ...extra } = result;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new UpstreamError('malformed', 'UserCenter result has no accessToken');
  }
  const grant: UpstreamGrant = { accessToken, extra };
  if (typeof refreshToken === 'string' && refreshToken !== '') grant.refreshToken = refreshToken;
  if (expiresIn !== undefined && expiresIn !== null && expiresIn !== '') {
    const seconds = Number(expiresIn);
    if (!Number.isInteger(seconds) || seconds <= 0) {
      throw new UpstreamError('malformed', 'UserCenter expires_in is not a positive whole number of seconds');
    }
    grant.expiresIn = seconds;
  }
  return grant;
}

/** UserCenter nests JSON in a string; tolerate an object too, in case a deployment sends one. */
function decodeJson(value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new UpstreamError('malformed', `UserCenter ${field} is not valid JSON`, { cause: error });
  }
}

function describeRefusal(envelope: Record<string, unknown>): string {
  const text = [envelope['result'], envelope['message'], envelope['msg']].find((m) => typeof m === 'string' && m !== '');
  return typeof text === 'string' ? text.slice(0, 200) : 'request refused';
}

const digest = (algorithm: string, value: string): string => createHash(algorithm).update(value, 'utf8').digest('hex');
