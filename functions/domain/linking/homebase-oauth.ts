/**
 * Account linking over OAuth 2.0 with the driver as its own callback service (seeds 000/001).
 *
 * Homebase → `OAuth {callbackURL}` → a driver URL → the vendor's login page (code flow, PKCE S256,
 * `state`) → the driver's /oauth/callback → the link is stored → the browser goes to callbackURL
 * with a one-time driver code → `OAuthGetToken {code}` → the driver's own tokens.
 */
import * as v from 'valibot';
import { InvalidAuthorizationError } from '../errors.ts';
import type { AuthorizationStore, Clock, PendingAuthorization } from '../ports.ts';
import { parseOrThrow } from '../protocol/validation.ts';
import type { IssuedUserAuth, TokenVault } from '../vault/token-vault.ts';
import { hashToken, mintCode } from '../vault/tokens.ts';
import { type BrowserAnswer, EXPIRED_SIGN_IN } from './browser-answer.ts';
import { allowedCallbackURL, appendQuery, type CallbackAllowList } from './callback-url.ts';
import type { UpstreamLinker } from './upstream-linker.ts';

export interface HomebaseOAuthSettings {
  /** The driver's own base URL, from which its callback URL is built. */
  publicBaseUrl: string;
  /** Where callbackURL may point: whole origins, and exact addresses. */
  allowedCallbacks: CallbackAllowList;
  /** `code` (seeds 000/001): a one-time code for OAuthGetToken. `tokens` (seed 002): the userAuth itself. */
  mode: 'code' | 'tokens';
}

/** How long the one-time code for OAuthGetToken lasts. */
const CODE_TTL_S = 300;

const text = v.pipe(v.string(), v.nonEmpty());
export const OAuthParamsSchema = v.object({ callbackURL: v.pipe(text, v.maxLength(2048)) });
export const OAuthGetTokenParamsSchema = v.object({ code: v.pipe(text, v.maxLength(512)) });

export class HomebaseOAuth {
  readonly #linker: UpstreamLinker;
  readonly #store: AuthorizationStore;
  readonly #vault: TokenVault;
  readonly #clock: Clock;
  readonly #settings: HomebaseOAuthSettings;

  constructor(deps: {
    linker: UpstreamLinker;
    store: AuthorizationStore;
    vault: TokenVault;
    clock: Clock;
    settings: HomebaseOAuthSettings;
  }) {
    this.#linker = deps.linker;
    this.#store = deps.store;
    this.#vault = deps.vault;
    this.#clock = deps.clock;
    this.#settings = { ...deps.settings, publicBaseUrl: deps.settings.publicBaseUrl.replace(/\/+$/, '') };
  }

  /** The `OAuth` command: answers the URL Homebase opens, which embeds the encoded callbackURL. */
  async begin(sent: string): Promise<string> {
    const callbackURL = allowedCallbackURL(sent, this.#settings.allowedCallbacks);
    // Homebase's server asks; no browser is here yet to bind the state to: /oauth/start does that.
    const { state } = await this.#linker.signIn.begin({ kind: 'homebase', callbackURL }, { bind: false });
    return `${this.#settings.publicBaseUrl}/oauth/start?state=${encodeURIComponent(state)}&callbackURL=${encodeURIComponent(callbackURL)}`;
  }

  /** GET /oauth/start, the browser's first request: the state is bound to it, then on to the vendor. */
  async start(query: Record<string, string | undefined>): Promise<BrowserAnswer> {
    const opened = await this.#linker.signIn.peek(query['state']);
    if (opened?.target.kind !== 'homebase' || opened.binding) return EXPIRED_SIGN_IN;
    const { state, pending, binding } = await this.#linker.signIn.bind(opened);
    return { kind: 'redirect', location: await this.#linker.signIn.authorizationUrl(state, pending, this.#linker.callbackUrl), binding };
  }

  /** Back from the vendor (GET /oauth/callback, `pending` consumed): link, and send the browser back to Homebase. */
  async complete(query: Record<string, string | undefined>, callbackURL: string, pending: PendingAuthorization): Promise<BrowserAnswer> {
    const back = (params: Record<string, string>): BrowserAnswer => ({ kind: 'redirect', location: appendQuery(callbackURL, params) });
    const outcome = await this.#linker.link(query, pending);
    if ('error' in outcome) return back(outcome.error);
    if (this.#settings.mode === 'tokens') {
      const { userId, userToken, refreshToken, expiresIn } = outcome.linked;
      return back({ userId, userToken, refreshToken, expiresIn: String(expiresIn) });
    }
    const code = mintCode();
    await this.#store.saveCode(code.hash, outcome.linkId, this.#clock.now() + CODE_TTL_S);
    return back({ code: code.code });
  }

  /** The `OAuthGetToken` command: the code works once, within 5 minutes. */
  async getToken(code: string): Promise<IssuedUserAuth> {
    const linkId = await this.#store.consumeCode(hashToken(code), this.#clock.now());
    if (!linkId) {
      throw new InvalidAuthorizationError(
        'The authorization code is unknown, expired or already used. Link your account again in the Rokid app.',
      );
    }
    return this.#vault.reissue(linkId);
  }
}

/** `OAuth` and `OAuthGetToken`, their params checked. */
export const oauthCommands = (linking: HomebaseOAuth) => ({
  OAuth: async (params: Record<string, unknown>) =>
    linking.begin(parseOrThrow(OAuthParamsSchema, params, 'OAuth command', { prefix: 'params' }).callbackURL),
  OAuthGetToken: async (params: Record<string, unknown>) =>
    linking.getToken(parseOrThrow(OAuthGetTokenParamsSchema, params, 'OAuthGetToken command', { prefix: 'params' }).code),
});
