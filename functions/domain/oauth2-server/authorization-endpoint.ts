/**
 * The authorization endpoint of the driver's OAuth 2.0 server (RFC 6749 §4.1.1–4.1.2), with Homebase
 * as its client. The person signs in upstream: at the vendor's authorization server (and back through
 * the driver's /oauth/callback), or, in front of a UserCenter, on the driver's own sign-in page. Either
 * way the same vault makes the same kind of link as the command flows, and the browser returns to the
 * client's redirect_uri with a one-time code.
 */
import { LoginFailedError, ServerUnreachableError, WrongUsernamePasswordError } from '../errors.ts';
import type { BrowserAnswer } from '../linking/browser-answer.ts';
import { appendQuery } from '../linking/callback-url.ts';
import type { PasswordLogin } from '../linking/password-login.ts';
import { TooManyAttemptsError } from '../linking/password-login.ts';
import type { PendingStates } from '../linking/pending-states.ts';
import type { UpstreamLinker } from '../linking/upstream-linker.ts';
import type { AuthorizationRequest, AuthorizationStore, Clock, PendingAuthorization } from '../ports.ts';
import { sameSecret } from '../same-secret.ts';
import { hashToken, linkIdOf, mintCode, randomSecret } from '../vault/tokens.ts';
import { type OAuth2Params, readAuthorizationRequest } from './authorization-request.ts';
import type { RegisteredClient } from './registered-client.ts';

/** How long a person has to sign in, and how long the code then lasts (§4.1.2 recommends at most 10 minutes). */
const CODE_TTL_S = 60;

/** What the sign-in page shows; the HTTP side renders it in the person's language. */
export interface SignInForm {
  /** Names the pending authorization; a hidden field. */
  request: string;
  /** The CSRF token: a cookie and a hidden field, which must agree and match the pending authorization. */
  csrf: string;
  username?: string;
  problem?: { kind: 'missing' } | { kind: 'wrong' } | { kind: 'rate_limited'; retryAt: number };
}

export type AuthorizeAnswer =
  | BrowserAnswer
  | { kind: 'sign_in'; form: SignInForm }
  /** Signed in: the answer, and the device cookie that lets this browser past throttling caused elsewhere. */
  | { kind: 'signed_in'; answer: BrowserAnswer; deviceCookie: string };

/** The sign-in form as posted. */
export interface SignInSubmission {
  request?: string | undefined;
  csrf?: string | undefined;
  /** The CSRF cookie that came with the post. */
  csrfCookie?: string | undefined;
  /** The device cookie, from an earlier sign-in in this browser. */
  deviceCookie?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  cancel?: boolean;
  sourceIp: string;
}

export const SIGN_IN_EXPIRED: BrowserAnswer = {
  kind: 'page',
  outcome: 'bad_request',
  title: 'This sign-in has expired',
  message: 'It was open too long, was already used, or was not sent from its own page. Start linking your account again in the Rokid app.',
};

export class AuthorizationEndpoint {
  readonly #client: RegisteredClient;
  readonly #store: AuthorizationStore;
  readonly #states: PendingStates;
  readonly #clock: Clock;
  /** Exactly one: the vendor's authorization server, or the driver's own page in front of a UserCenter. */
  readonly #upstream: { kind: 'oauth'; linker: UpstreamLinker } | { kind: 'password'; login: PasswordLogin };

  constructor(deps: {
    client: RegisteredClient;
    store: AuthorizationStore;
    states: PendingStates;
    clock: Clock;
    upstream: { kind: 'oauth'; linker: UpstreamLinker } | { kind: 'password'; login: PasswordLogin };
  }) {
    this.#client = deps.client;
    this.#store = deps.store;
    this.#states = deps.states;
    this.#clock = deps.clock;
    this.#upstream = deps.upstream;
  }

  /** GET /oauth2/authorize. */
  async authorize(params: OAuth2Params): Promise<AuthorizeAnswer> {
    const read = readAuthorizationRequest(params, this.#client);
    if (read.kind !== 'ok') return read.answer;
    const request = read.request;
    if (this.#upstream.kind === 'oauth') {
      const { signIn, callbackUrl } = this.#upstream.linker;
      const { state, pending, binding } = await signIn.begin({ kind: 'oauth2', request }, { bind: true });
      return { kind: 'redirect', location: await signIn.authorizationUrl(state, pending, callbackUrl), ...(binding ? { binding } : {}) };
    }
    // The request travels sealed in the form, tied to this browser by the CSRF cookie: nothing is stored
    // until someone signs in.
    const csrf = randomSecret();
    // Nothing is exchanged upstream on this path; the verifier is there for the shape's sake.
    const pending = this.#states.create({ kind: 'oauth2', request, csrfHash: hashToken(csrf) });
    const form = { request: await this.#states.seal(pending), csrf };
    return { kind: 'sign_in', form };
  }

  /** POST /oauth2/authorize: the sign-in form. A wrong password shows the form again; the pending request stays. */
  async signIn(submission: SignInSubmission): Promise<AuthorizeAnswer> {
    if (this.#upstream.kind !== 'password' || !submission.request) return SIGN_IN_EXPIRED;
    const pending = await this.#states.open(submission.request);
    // Used up once it ends: signed in, cancelled, or refused by the account service.
    const useUp = async () => (await this.#states.consume(submission.request, {}, { bound: false })) !== undefined;
    if (pending?.target.kind !== 'oauth2' || !csrfHolds(submission, pending.target.csrfHash)) return SIGN_IN_EXPIRED;
    const { request } = pending.target;
    const form = { request: submission.request, csrf: submission.csrf ?? '' };

    if (submission.cancel) {
      if (!(await useUp())) return SIGN_IN_EXPIRED;
      return answer(request, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' });
    }
    const username = submission.username?.trim() ?? '';
    const password = submission.password ?? '';
    if (username === '' || password === '') return { kind: 'sign_in', form: { ...form, username, problem: { kind: 'missing' } } };

    let linkId: string;
    let deviceCookie: string;
    try {
      const signedIn = await this.#upstream.login.signIn(
        { username, password },
        { sourceIp: submission.sourceIp, deviceCookie: submission.deviceCookie },
      );
      linkId = linkIdOf('hbu', signedIn.auth.userToken) ?? '';
      deviceCookie = signedIn.deviceCookie;
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        return { kind: 'sign_in', form: { ...form, username, problem: { kind: 'rate_limited', retryAt: error.retryAt } } };
      }
      if (error instanceof WrongUsernamePasswordError) return { kind: 'sign_in', form: { ...form, username, problem: { kind: 'wrong' } } };
      const failed = upstreamFailure(error);
      if (!failed) throw error;
      if (!(await useUp())) return SIGN_IN_EXPIRED;
      return answer(request, failed);
    }
    // The link is made; the request is used up only now, so a wrong password could be tried again above.
    // A twin post that won this race leaves this link unseen: it retires when its tokens expire.
    if (!(await useUp())) return SIGN_IN_EXPIRED;
    return { kind: 'signed_in', answer: await this.#issue(request, linkId), deviceCookie };
  }

  /** Back from the vendor's authorization server through /oauth/callback (`pending` consumed). */
  async completeUpstream(query: Record<string, string | undefined>, pending: PendingAuthorization): Promise<BrowserAnswer> {
    if (pending.target.kind !== 'oauth2' || this.#upstream.kind !== 'oauth') return SIGN_IN_EXPIRED;
    const { request } = pending.target;
    const outcome = await this.#upstream.linker.link(query, pending);
    if ('error' in outcome) {
      // A person who declined at the vendor declined here too; an outage stays an outage; the rest is ours to own.
      const vendor = outcome.error['error'];
      const error = vendor === 'access_denied' || vendor === 'temporarily_unavailable' ? vendor : 'server_error';
      const description = (outcome.error['error_description'] ?? 'The account service did not sign the person in.').slice(0, 200);
      return answer(request, { error, error_description: description });
    }
    return this.#issue(request, outcome.linkId);
  }

  async #issue(request: AuthorizationRequest, linkId: string): Promise<BrowserAnswer> {
    const code = mintCode();
    await this.#store.saveIssuedCode(code.hash, { linkId, request }, this.#clock.now() + CODE_TTL_S);
    return answer(request, { code: code.code });
  }
}

/** Back to the client's redirect_uri, with its state (§4.1.2). */
function answer(request: AuthorizationRequest, params: Record<string, string>): BrowserAnswer {
  return {
    kind: 'redirect',
    location: appendQuery(request.redirectUri, { ...params, ...(request.state === undefined ? {} : { state: request.state }) }),
  };
}

function csrfHolds(submission: SignInSubmission, csrfHash: string | undefined): boolean {
  const { csrf, csrfCookie } = submission;
  if (!csrf || !csrfCookie || csrfHash === undefined) return false;
  const cookieMatches = sameSecret(csrf, csrfCookie);
  const requestMatches = sameSecret(hashToken(csrf), csrfHash);
  return cookieMatches && requestMatches;
}

/** The error the client gets when the account service failed, and whether it was down or refused. */
function upstreamFailure(error: unknown): Record<string, string> | undefined {
  if (error instanceof ServerUnreachableError) {
    return {
      error: 'temporarily_unavailable',
      error_description: 'The account service did not answer. Try linking again in a few minutes.',
    };
  }
  if (error instanceof LoginFailedError) {
    return { error: 'server_error', error_description: 'The account service did not sign the person in. Try linking again later.' };
  }
  return undefined;
}
