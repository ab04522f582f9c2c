/**
 * Who a v2 message is from (the digest's section 3). A BearerToken is any driver access token `/list`
 * accepts (the OAuth 2.0 server's, login's and OAuthGetToken's share one vault), opened through the same
 * fresh sessions, inline refresh included. A JWT names the vendor user itself; the device cloud then serves
 * that user with the driver's service credential, since no upstream token exists for them.
 */
import type { CloudSession, Deadline } from '../ports.ts';
import type { FreshSessions, Invocation } from '../refresh/fresh-sessions.ts';
import { serviceSession } from '../vault/sessions.ts';
import { V2Error } from './errors.ts';
import { type JwtSettings, verifyRokidJwt } from './jwt-authorization.ts';

export interface V2AuthorizationDeps {
  sessions: FreshSessions;
  /** Unset when the driver takes no JWTs (ROKID_JWT_APP_ID is not set). */
  jwt?: () => Promise<JwtSettings>;
  /** The credentials a device cloud is called with for a JWT user; unset where the cloud needs none (the virtual one). */
  serviceCredentials?: () => Promise<string>;
  nowS: () => number;
}

export class V2Authorization {
  readonly #deps: V2AuthorizationDeps;

  constructor(deps: V2AuthorizationDeps) {
    this.#deps = deps;
  }

  async open(
    authorization: { type: 'BearerToken' | 'JWT'; token: string },
    invocation: Invocation,
    deadline: Deadline,
  ): Promise<CloudSession> {
    if (authorization.type === 'BearerToken') {
      const session = await this.#deps.sessions.open({ userToken: authorization.token }, invocation);
      return { ...session, deadline };
    }
    const { jwt, serviceCredentials } = this.#deps;
    if (!jwt) {
      throw new V2Error(
        'E_INTERNAL_ERROR',
        'This driver does not take JWT authorization: its operators have not set ROKID_JWT_APP_ID. Use the OAuth 2.0 (BearerToken) method, or configure JWT.',
        { vendorCode: 'JWT_NOT_CONFIGURED' },
      );
    }
    const { userId } = verifyRokidJwt(authorization.token, await jwt(), this.#deps.nowS());
    return { ...serviceSession(userId, serviceCredentials), deadline };
  }
}
