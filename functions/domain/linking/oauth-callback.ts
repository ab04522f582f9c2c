/**
 * GET /oauth/callback: where the vendor's authorization server sends the browser back, for every flow
 * that signs a person in there. The pending authorization is consumed once, and its target says whose
 * sign-in it was: Homebase's `OAuth` command, or a client of the driver's own OAuth 2.0 server.
 */
import type { PendingAuthorization } from '../ports.ts';
import { type BrowserAnswer, EXPIRED_SIGN_IN } from './browser-answer.ts';
import type { HomebaseOAuth } from './homebase-oauth.ts';
import type { UpstreamSignIn } from './upstream-sign-in.ts';

/** The driver's OAuth 2.0 server, as the callback needs it. */
export interface UpstreamSignInCompletion {
  completeUpstream(query: Record<string, string | undefined>, pending: PendingAuthorization): Promise<BrowserAnswer>;
}

export class OAuthCallback {
  readonly #signIn: UpstreamSignIn;
  readonly #homebase: HomebaseOAuth | undefined;
  readonly #server: UpstreamSignInCompletion | undefined;

  constructor(deps: { signIn: UpstreamSignIn; homebase: HomebaseOAuth | undefined; server: UpstreamSignInCompletion | undefined }) {
    this.#signIn = deps.signIn;
    this.#homebase = deps.homebase;
    this.#server = deps.server;
  }

  /** `cookies`: the request's, one of which binds the state to this browser. */
  async handle(query: Record<string, string | undefined>, cookies: Record<string, string>): Promise<BrowserAnswer> {
    // These flows began in a browser, which bound the state (/oauth/start, /oauth2/authorize): it must be back.
    const pending = await this.#signIn.consume(query['state'], cookies, { bound: true });
    const target = pending?.target;
    if (pending && target?.kind === 'homebase' && this.#homebase) return this.#homebase.complete(query, target.callbackURL, pending);
    if (pending && target?.kind === 'oauth2' && this.#server) return this.#server.completeUpstream(query, pending);
    return EXPIRED_SIGN_IN;
  }
}
