import * as v from 'valibot';
import type { CommandContext } from '../commands.ts';
import { LoginFailedError, ServerUnreachableError, WrongUsernamePasswordError } from '../errors.ts';
import type { Attempt, AttemptLimits } from '../limits/attempt-limits.ts';
import type { PasswordUpstream, UpstreamGrant } from '../ports.ts';
import { parseOrThrow } from '../protocol/validation.ts';
import { UpstreamError } from '../upstream-error.ts';
import type { IssuedUserAuth, TokenVault } from '../vault/token-vault.ts';

const text = v.pipe(v.string(), v.nonEmpty());

/** `login` takes a password or a validate code (seed 004 offers both), never both. */
export const LoginParamsSchema = v.pipe(
  v.object({ username: text, password: v.optional(text), validateCode: v.optional(text) }),
  v.check((p) => (p.password === undefined) !== (p.validateCode === undefined), 'expected exactly one of password and validateCode'),
);
export type LoginParams = v.InferOutput<typeof LoginParamsSchema>;

/** Refused without asking the account service: the attempt limits are reached until `retryAt`. */
export class TooManyAttemptsError extends LoginFailedError {
  readonly retryAt: number;
  constructor(message: string, retryAt: number) {
    super(message, { debugInfo: `retryAt=${retryAt}` });
    this.retryAt = retryAt;
  }
}

/** The `login` command: sign in upstream, find out who the user is, and link the account. */
export class PasswordLogin {
  readonly #upstream: PasswordUpstream;
  readonly #vault: TokenVault;
  readonly #limits: AttemptLimits;

  constructor(deps: { upstream: PasswordUpstream; vault: TokenVault; limits: AttemptLimits }) {
    this.#upstream = deps.upstream;
    this.#vault = deps.vault;
    this.#limits = deps.limits;
  }

  /**
   * The `login` command. Every login comes from Homebase's few addresses and carries nothing of the
   * person's browser, so it is throttled by the account alone: past its free failures, a guess waits
   * its turn (at most the cap), and the real user is told when to come back.
   */
  async login(params: LoginParams, context: CommandContext): Promise<IssuedUserAuth> {
    return (await this.#attempt(params, { subject: params.username, sourceIp: context.sourceIp, limitAddress: false })).auth;
  }

  /**
   * The driver's sign-in form: the address is the person's, and so limited too, and a browser that
   * signed in before (its device cookie) is throttled on its own record. Answers a device cookie to set.
   */
  async signIn(
    params: LoginParams,
    context: { sourceIp: string; deviceCookie?: string | undefined },
  ): Promise<{ auth: IssuedUserAuth; deviceCookie: string }> {
    const attempt = { subject: params.username, sourceIp: context.sourceIp, limitAddress: true, deviceCookie: context.deviceCookie };
    return this.#attempt(params, attempt);
  }

  /** The attempt is counted before the account service is asked; past the limits it is not asked at all. */
  async #attempt(params: LoginParams, attempt: Attempt): Promise<{ auth: IssuedUserAuth; deviceCookie: string }> {
    const reservation = await this.#limits.reserve('login', attempt);
    if (reservation.kind === 'refused') throw new TooManyAttemptsError(reservation.refusal, reservation.retryAt);
    let grant: UpstreamGrant;
    try {
      grant =
        params.password !== undefined
          ? await this.#upstream.tokenByPassword(params.username, params.password)
          : await this.#upstream.tokenByValidateCode(params.username, params.validateCode ?? '');
    } catch (error) {
      // Unanswered is unguessed: only an attempt the account service judged stays counted.
      if (error instanceof UpstreamError && error.failure === 'unavailable') await reservation.release();
      throw error instanceof UpstreamError ? loginError(error) : error;
    }
    const { deviceCookie, done } = await reservation.succeeded();
    try {
      const vendorUserId = await this.#upstream.userIdOf(grant.accessToken);
      const auth = await this.#vault.link(vendorUserId, 'usercenter', grant);
      await done;
      return { auth, deviceCookie };
    } catch (error) {
      await done.catch(() => undefined);
      throw error instanceof UpstreamError ? loginError(error) : error;
    }
  }
}

function loginError(error: UpstreamError): Error {
  switch (error.failure) {
    case 'invalid_credentials':
      return new WrongUsernamePasswordError('The username, password or validate code is wrong.', { cause: error });
    case 'unavailable':
      return new ServerUnreachableError(`The account service cannot be reached: ${error.message}. Try again shortly.`, {
        cause: error,
      });
    default:
      return new LoginFailedError(`The account service did not sign you in: ${error.message}`, {
        cause: error,
        ...(error.upstreamCode === undefined ? {} : { vendorErrorCode: error.upstreamCode }),
      });
  }
}

/** The `login` command (and Rokid's sample spelling `Login`). */
export const loginCommand =
  (login: PasswordLogin) =>
  async (params: Record<string, unknown>, context: CommandContext): Promise<IssuedUserAuth> =>
    login.login(parseOrThrow(LoginParamsSchema, params, 'login command', { prefix: 'params' }), context);
