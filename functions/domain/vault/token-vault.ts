import { EndpointBusyError, InvalidAuthorizationError, SignError } from '../errors.ts';
import type { Clock, CloudSession, LinkHeader, LinkStore, SessionCredentials, UpstreamGrant } from '../ports.ts';
import { nextDueAt, type RefreshPolicy } from '../refresh/schedule.ts';
import type { Link, UpstreamCredentials } from './link.ts';
import { hashToken, linkIdOf, mintToken, newLinkId, successorsOf, tokenMatches } from './tokens.ts';

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

  constructor(deps: { links: LinkStore; clock: Clock; settings: VaultSettings }) {
    this.#links = deps.links;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
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
      const { previousRefreshTokenHash: _p, refreshRotatedAt: _r, ...rest } = link;
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
   * OAuthRefresh: rotates the driver's tokens. The same old refresh token presented again within the
   * grace window gets the same new pair (Homebase retries, and a lost answer must not unlink anyone);
   * outside it, or for any other token, E_INVALID_AUTHORIZATION.
   */
  async rotate(params: { userId?: string | undefined; refreshToken: string }): Promise<IssuedUserAuth> {
    const presented = params.refreshToken;
    const linkId = linkIdOf('hbr', presented);
    if (!linkId) throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken was not issued by this driver.)`);
    const successors = successorsOf(presented, linkId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const link = await this.#links.get(linkId);
      const now = this.#clock.now();
      if (!link) throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken is not recognised.)`);
      // Possession first: whoever cannot show the token learns nothing of the link, not even its state.
      const current = tokenMatches(presented, link.refreshTokenHash);
      const previous = !current && link.previousRefreshTokenHash !== undefined && tokenMatches(presented, link.previousRefreshTokenHash);
      if (!current && !previous) {
        throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken is not recognised.)`);
      }
      if (link.status !== 'active') throw new InvalidAuthorizationError(RELINK);
      if (params.userId && params.userId !== link.vendorUserId) {
        throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The userId does not match the refreshToken.)`);
      }
      if (current) {
        if (link.refreshTokenExpiresAt <= now) throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken has expired.)`);
        const stored = await this.#links.update({
          ...link,
          userTokenHash: hashToken(successors.userToken),
          userTokenExpiresAt: now + this.#settings.userTokenTtlS,
          refreshTokenHash: hashToken(successors.refreshToken),
          refreshTokenExpiresAt: now + this.#settings.refreshTokenTtlS,
          previousRefreshTokenHash: link.refreshTokenHash,
          refreshRotatedAt: now,
          updatedAt: now,
          version: link.version + 1,
        });
        if (stored) return { userId: link.vendorUserId, ...successors, expiresIn: this.#settings.userTokenTtlS };
        continue; // a concurrent write; the retry sees the rotation (ours or a twin's) and answers from it
      }
      const withinGrace =
        now - (link.refreshRotatedAt ?? 0) <= (this.#settings.refreshGraceS ?? 60) &&
        tokenMatches(successors.refreshToken, link.refreshTokenHash);
      if (withinGrace) {
        return { userId: link.vendorUserId, ...successors, expiresIn: Math.max(0, link.userTokenExpiresAt - now) };
      }
      throw new InvalidAuthorizationError(`${REFRESH_REFUSED} (The refreshToken has already been used or was replaced.)`);
    }
    throw new EndpointBusyError('Your account link is being updated by another request. Try again in a moment.');
  }

  /**
   * Checks Homebase's userAuth. A token that is unknown, wrong or expired means the user is signed
   * out (E_DRIVER_SIGN_ERROR); a link that can never be used again is E_INVALID_AUTHORIZATION.
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
      throw new SignError(`${SIGNED_OUT} (The userToken has expired.)`);
    }
    if (userAuth.userId && userAuth.userId !== link.vendorUserId) {
      throw new SignError(`${SIGNED_OUT} (The userId does not match the userToken.)`);
    }
    return { link, session: sessionFrom(link.vendorUserId, () => link.openCredentials()) };
  }
}

export const sessionOf = (link: Link): CloudSession => sessionFrom(link.vendorUserId, async () => link.credentials);

/** A session whose credentials are opened once, when first asked for. */
function sessionFrom(vendorUserId: string, open: () => Promise<UpstreamCredentials>): CloudSession {
  let opened: Promise<SessionCredentials> | undefined;
  return {
    vendorUserId,
    credentials: () => {
      opened ??= open().then(sessionCredentials);
      return opened;
    },
  };
}

function sessionCredentials({ accessToken, extra }: UpstreamCredentials): SessionCredentials {
  const type = typeof extra['token_type'] === 'string' ? extra['token_type'].toLowerCase() : undefined;
  if (type === 'mac' && typeof extra['mac_key'] === 'string') {
    const algorithm = typeof extra['mac_algorithm'] === 'string' ? extra['mac_algorithm'] : undefined;
    return { accessToken, mac: { key: extra['mac_key'], algorithm } };
  }
  return { accessToken };
}

function credentialsFrom(grant: UpstreamGrant, now: number): UpstreamCredentials {
  const credentials: UpstreamCredentials = { accessToken: grant.accessToken, extra: grant.extra };
  if (grant.refreshToken !== undefined) credentials.refreshToken = grant.refreshToken;
  if (grant.expiresIn !== undefined) credentials.expiresAt = now + grant.expiresIn;
  return credentials;
}
