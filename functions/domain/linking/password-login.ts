import * as v from 'valibot';
import type { CommandContext } from '../commands.ts';
import { LoginFailedError, ServerUnreachableError, WrongUsernamePasswordError } from '../errors.ts';
import type { AttemptLimits } from '../limits/attempt-limits.ts';
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

  /** Failed attempts are counted, and past the limits the account service is not asked at all. */
  async login(params: LoginParams, context: CommandContext): Promise<IssuedUserAuth> {
    const attempt = { subject: params.username, sourceIp: context.sourceIp };
    const checked = await this.#limits.check('login', attempt);
    if (checked.refusal) throw new TooManyAttemptsError(checked.refusal, checked.retryAt ?? 0);
    let grant: UpstreamGrant;
    try {
      grant =
        params.password !== undefined
          ? await this.#upstream.tokenByPassword(params.username, params.password)
          : await this.#upstream.tokenByValidateCode(params.username, params.validateCode ?? '');
    } catch (error) {
      if (error instanceof UpstreamError && error.failure === 'invalid_credentials') await this.#limits.failed('login', attempt);
      throw error instanceof UpstreamError ? loginError(error) : error;
    }
    await this.#limits.succeeded('login', attempt, checked);
    try {
      const vendorUserId = await this.#upstream.userIdOf(grant.accessToken);
      return await this.#vault.link(vendorUserId, 'usercenter', grant);
    } catch (error) {
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
