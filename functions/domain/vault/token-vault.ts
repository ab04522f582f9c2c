import { EndpointBusyError, ExpiredTokenError, InvalidAuthorizationError, SignError } from '../errors.ts';
import type { Clock, CloudSession, LinkHeader, LinkStore, SecurityEvents, UpstreamGrant } from '../ports.ts';
import { credentialsFrom, nextDueAt } from '../refresh/refreshed-credentials.ts';
import type { RefreshPolicy } from '../refresh/schedule.ts';
import type { Link } from './link.ts';
import { reanswerFor, rotatedFamily, rotationsAgo, standingOf } from './refresh-family.ts';
import { sessionFrom } from './sessions.ts';
import { linkIdOf, mintToken, newLinkId, tokenMatches } from './tokens.ts';

export interface VaultSettings {
  /** Lifetime of a driver userToken, in seconds. */
  userTokenTtlS: number;
  /** Lifetime of a driver refreshToken, in seconds. */
  refreshTokenTtlS: number;
  /** When new upstream credentials fall due for refresh. */
  refresh: RefreshPolicy;
  /** How long a replaced refresh token still gets the same answer (OAuthRefresh retries). */
  refreshGraceS?: number;
}

/** What Homebase stores as the user's userAuth. */
export interface IssuedUserAuth {
  userId: string;
  userToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface AuthenticatedLink {
  link: LinkHeader;
  session: CloudSession;
}

/** What a user whose link is dead must do. */
export const RELINK =
  'The link to your account can no longer be used. Remove the device brand in the Rokid app and link your account again.';

const REFRESH_REFUSED = 'The sign-in cannot be renewed; link your account again in the Rokid app.';

const SIGNED_OUT = 'Your sign-in is no longer valid. Sign in to your account again in the Rokid app.';

/**
 * The token vault keeps the upstream credentials of every link and hands Homebase tokens of the
 * driver's own, so an upstream token never leaves the driver.
 */
export class TokenVault {
  readonly #links: LinkStore;
  readonly #clock: Clock;
  readonly #settings: VaultSettings;
  readonly #security: SecurityEvents | undefined;

  constructor(deps: { links: LinkStore; clock: Clock; settings: VaultSettings; security?: SecurityEvents }) {
    this.#links = deps.links;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#security = deps.security;
  }

  /** Stores a new link for the vendor user and issues the driver's tokens for it. */
  async link(
    vendorUserId: string,
    upstream: Link['upstream'],
    grant: UpstreamGrant,
    options: { redirectUri?: string } = {},
  ): Promise<IssuedUserAuth> {
    const now = this.#clock.now();
    const linkId = newLinkId();
    const userToken = mintToken('hbu', linkId);
    const refreshToken = mintToken('hbr', linkId);
    const credentials = credentialsFrom(grant, now);
    const refreshDueAt = nextDueAt(credentials, now, this.#settings.refresh);
    await this.#links.create({
      linkId,
      vendorUserId,
      upstream,
      ...(options.redirectUri ? { upstreamRedirectUri: options.redirectUri } : {}),
      credentials,
      status: 'active',
      ...(refreshDueAt === undefined ? {} : { refreshDueAt }),
      lastRefreshedAt: now,
      refreshFailures: 0,
      userTokenHash: userToken.hash,
      userTokenExpiresAt: now + this.#settings.userTokenTtlS,
      refreshTokenHash: refreshToken.hash,
      refreshTokenExpiresAt: now + this.#settings.refreshTokenTtlS,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    return {
      userId: vendorUserId,
      userToken: userToken.token,
      refreshToken: refreshToken.token,
      expiresIn: this.#settings.userTokenTtlS,
    };
  }

  /**
   * New driver tokens for an existing link, replacing any issued before (OAuthGetToken: the link was
   * made at the callback, and its tokens are shown only now, to the holder of the one-time code).
   */
  async reissue(linkId: string): Promise<IssuedUserAuth> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const link = await this.#links.get(linkId);
      if (link?.status !== 'active') throw new InvalidAuthorizationError(RELINK);
      const now = this.#clock.now();
      const userToken = mintToken('hbu', linkId);
      const refreshToken = mintToken('hbr', linkId);
      const { previousRefreshTokenHash: _p, refreshRotatedAt: _r, rotationIssued: _i, ...rest } = link;
      const stored = await this.#links.update({
        ...rest,
        userTokenHash: userToken.hash,
        userTokenExpiresAt: now + this.#settings.userTokenTtlS,
        refreshTokenHash: refreshToken.hash,
        refreshTokenExpiresAt: now + this.#settings.refreshTokenTtlS,
        updatedAt: now,
        version: link.version + 1,
      });
      if (stored) {
        return {
          userId: link.vendorUserId,
          userToken: userToken.token,
          refreshToken: refreshToken.token,
          expiresIn: this.#settings.userTokenTtlS,
        };
      }
    }
    throw new EndpointBusyError('Your account link is being updated by another request. Try again in a moment.');
  }

  /**
   * OAuthRefresh (and the OAuth 2.0 server's refresh_token grant): rotates the driver's tokens to a new
   * random pair (refresh-family.ts). The token just replaced, presented again within the grace window,
   * gets the same pair until that pair's refresh token is first used: Homebase retries, and a lost answer
   * must not unlink anyone. Any other spent token of the family, however old, is a replay (RFC 9700
   * §4.14.2): one of its two holders is not the user, so the link is revoked, its tokens with it. A
   * token the link never issued revokes nothing: the link id in it is no secret.
   */
  async rotate(params: { userId?: string | undefined; refreshToken: string }): Promise<IssuedUserAuth> {
    const presented = params.refreshToken;
    const linkId = linkIdOf('hbr', presented);
    if (!linkId) throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken was not issued by this driver.)`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const link = await this.#links.get(linkId);
      const now = this.#clock.now();
      // Possession first: whoever cannot show a token of the family learns nothing of the link, not even its state.
      const standing = link && standingOf(link, presented, now);
      if (!link || !standing) throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken is not recognised.)`);
      if (link.status !== 'active') throw new InvalidAuthorizationError(RELINK);
      if (params.userId && params.userId !== link.vendorUserId) {
        throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The userId does not match the refreshToken.)`);
      }
      const graceS = this.#settings.refreshGraceS ?? 60;
      if (standing === 'current') {
        if (link.refreshTokenExpiresAt <= now) throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken has expired.)`);
        const issued = { userToken: mintToken('hbu', linkId), refreshToken: mintToken('hbr', linkId) };
        const family = rotatedFamily(link, issued, now, { ...this.#settings, graceS });
        if (await this.#links.update({ ...link, ...family, updatedAt: now, version: link.version + 1 })) {
          return {
            userId: link.vendorUserId,
            userToken: issued.userToken.token,
            refreshToken: issued.refreshToken.token,
            expiresIn: this.#settings.userTokenTtlS,
          };
        }
        continue; // a concurrent write; the retry sees the rotation (ours or a twin's) and answers from it
      }
      const again = standing === 'previous' ? reanswerFor(link, now, graceS) : undefined;
      if (again) return { userId: link.vendorUserId, ...again, expiresIn: Math.max(0, link.userTokenExpiresAt - now) };
      if (await this.#revokeOnReplay(link, now, rotationsAgo(link, presented))) {
        throw new InvalidAuthorizationError(
          `${REFRESH_REFUSED} (The refreshToken was already used, so it may have been copied: every token of this link is now revoked.)`,
        );
      }
    }
    throw new EndpointBusyError('Your account link is being updated by another request. Try again in a moment.');
  }

  /**
   * Ends a link whose replaced refresh token came back: its driver tokens stop at once, and the refresh
   * job revokes the upstream grant and deletes the link on its next run. False when another write won.
   */
  async #revokeOnReplay(link: Link, now: number, rotations: number): Promise<boolean> {
    const { rotationIssued: _issued, ...rest } = link;
    const revoked = await this.#links.update({ ...rest, status: 'revoked', refreshDueAt: now, updatedAt: now, version: link.version + 1 });
    if (revoked) this.#security?.refreshTokenReplayed({ linkId: link.linkId, vendorUserId: link.vendorUserId, rotationsAgo: rotations });
    return revoked;
  }

  /**
   * Checks Homebase's userAuth. A token that is unknown, wrong or expired means the user is signed
   * out (E_DRIVER_SIGN_ERROR; an expired one as ExpiredTokenError, which v2 answers apart); a link that
   * can never be used again is E_INVALID_AUTHORIZATION.
   */
  async authenticate(userAuth: { userId?: string | undefined; userToken: string }): Promise<AuthenticatedLink> {
    const linkId = linkIdOf('hbu', userAuth.userToken);
    if (!linkId) throw new SignError(`${SIGNED_OUT} (The userToken was not issued by this driver.)`);
    const link = await this.#links.header(linkId);
    if (!link || !tokenMatches(userAuth.userToken, link.userTokenHash)) {
      throw new SignError(`${SIGNED_OUT} (The userToken is not recognised.)`);
    }
    if (link.status !== 'active') {
      throw new InvalidAuthorizationError(RELINK);
    }
    if (link.userTokenExpiresAt <= this.#clock.now()) {
      throw new ExpiredTokenError(`${SIGNED_OUT} (The userToken has expired.)`);
    }
    if (userAuth.userId && userAuth.userId !== link.vendorUserId) {
      throw new SignError(`${SIGNED_OUT} (The userId does not match the userToken.)`);
    }
    return { link, session: { ...sessionFrom(link.vendorUserId, () => link.openCredentials()), linkId: link.linkId } };
  }
}
