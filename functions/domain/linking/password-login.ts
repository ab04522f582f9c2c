import * as v from 'valibot';
import { LoginFailedError, ServerUnreachableError, WrongUsernamePasswordError } from '../errors.ts';
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

/** The `login` command: sign in upstream, find out who the user is, and link the account. */
export class PasswordLogin {
  readonly #upstream: PasswordUpstream;
  readonly #vault: TokenVault;

  constructor(deps: { upstream: PasswordUpstream; vault: TokenVault }) {
    this.#upstream = deps.upstream;
    this.#vault = deps.vault;
  }

  async login(params: LoginParams): Promise<IssuedUserAuth> {
    try {
      const grant: UpstreamGrant =
        params.password !== undefined
          ? await this.#upstream.tokenByPassword(params.username, params.password)
          : await this.#upstream.tokenByValidateCode(params.username, params.validateCode ?? '');
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
  async (params: Record<string, unknown>): Promise<IssuedUserAuth> =>
    login.login(parseOrThrow(LoginParamsSchema, params, 'login command', { prefix: 'params' }));
