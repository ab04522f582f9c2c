/**
 * The end of a sign-in at the vendor's authorization server, whichever flow began it: the code the
 * browser brought back is exchanged, and the account is linked in the vault.
 */
import type { DiagnosticsLog, PendingAuthorization, UpstreamMetrics } from '../ports.ts';
import { kindOf, UpstreamError } from '../upstream-error.ts';
import type { IssuedUserAuth, TokenVault } from '../vault/token-vault.ts';
import { linkIdOf } from '../vault/tokens.ts';
import { defined } from './browser-answer.ts';
import { exchangeError, type UpstreamSignIn } from './upstream-sign-in.ts';

/** Linked, or the OAuth error (RFC 6749 §4.1.2.1) to send the browser on with. */
export type LinkAtCallback = { linked: IssuedUserAuth; linkId: string } | { error: Record<string, string> };

export class UpstreamLinker {
  readonly #signIn: UpstreamSignIn;
  readonly #vault: TokenVault;
  readonly #log: DiagnosticsLog;
  readonly #metrics: UpstreamMetrics;
  /** The driver's /oauth/callback: the redirect_uri of every upstream sign-in. */
  readonly callbackUrl: string;

  constructor(deps: { signIn: UpstreamSignIn; vault: TokenVault; log: DiagnosticsLog; metrics: UpstreamMetrics; publicBaseUrl: string }) {
    this.#signIn = deps.signIn;
    this.#vault = deps.vault;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.callbackUrl = `${deps.publicBaseUrl.replace(/\/+$/, '')}/oauth/callback`;
  }

  get signIn(): UpstreamSignIn {
    return this.#signIn;
  }

  /** `pending` is already consumed: a state works once. */
  async link(query: Record<string, string | undefined>, pending: PendingAuthorization): Promise<LinkAtCallback> {
    if (query['error']) {
      return {
        error: { error: query['error'], ...(query['error_description'] ? { error_description: query['error_description'] } : {}) },
      };
    }
    if (!query['code']) return { error: { error: 'invalid_request', error_description: 'The authorization server returned no code.' } };
    try {
      const { grant, vendorUserId } = await this.#signIn.exchange(defined(query), pending, this.callbackUrl);
      const linked = await this.#vault.link(vendorUserId, 'oauth', grant, { redirectUri: this.callbackUrl });
      return { linked, linkId: linkIdOf('hbu', linked.userToken) ?? '' };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      // The upstream's own code and the kind of failure, never its body: it may hold tokens.
      const kind = kindOf(error.failure);
      this.#log.warn('OAuth code exchange failed', {
        kind,
        failure: error.failure,
        upstreamCode: error.upstreamCode,
        reason: error.message,
      });
      this.#metrics.upstreamFailure(kind);
      return { error: exchangeError(error) };
    }
  }
}
