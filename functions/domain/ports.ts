/** The domain's needs of the outside world: adapters in functions/adapters implement them, or in-memory ones in test/support. */
import type { Action } from './protocol/action.ts';
import type { Link, UpstreamCredentials } from './vault/link.ts';

/** Seconds since the epoch. Injected so tests can move time. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

/** Where links live. Every write is conditional, so concurrent invocations cannot overwrite each other. */
export interface LinkStore {
  /** Stores a new link; fails if the id is taken. */
  create(link: Link): Promise<void>;
  get(linkId: string): Promise<Link | undefined>;
  /** The link without opening its credentials; they open when `openCredentials` is called. */
  header(linkId: string): Promise<LinkHeader | undefined>;
  /**
   * Replaces the link with `next` if the stored one still has version `next.version - 1` (and, when
   * `leaseOwner` is given, is still leased to it). Answers false when another writer got there first.
   */
  update(next: Link, options?: { leaseOwner?: string }): Promise<boolean>;
  /**
   * Claims the link for one refresher until `expiresAt`, unless a live lease (expiring after `now`)
   * exists. Answers the link as stored once the lease is taken, or undefined when it is held or gone.
   * The holder asking again renews its own lease: a write applied whose answer was lost is retried,
   * and must not find itself a stranger. So an owner names one refresh attempt, never two.
   */
  acquireLease(linkId: string, lease: { owner: string; expiresAt: number }, now: number): Promise<Link | undefined>;
  /** Gives the lease up, if `owner` still holds it. */
  releaseLease(linkId: string, owner: string): Promise<void>;
  /**
   * The ids of the links the refresh job has work on by `dueBy` (see `nextVisitAt`): a refresh, a
   * retirement, or an unfinished revocation. Read from the due index only, never a table scan.
   */
  due(dueBy: number): AsyncIterable<string>;
  /** Deletes the link if it still has `version`; false when another writer got there first or it is gone. */
  delete(linkId: string, version: number): Promise<boolean>;
  /** The ids of every link of one vendor user, whatever their status. */
  ofVendorUser(vendorUserId: string): Promise<string[]>;
  /** Every link, credentials unopened: for operators, never on a request's path (it reads the whole table). */
  all(): AsyncIterable<LinkHeader>;
}

/** When an answer is due: everything a request waits on shares it (v2's 3-second budget). */
export interface Deadline {
  /** Milliseconds left; zero or less once it has passed. */
  remainingMs(): number;
}

/** What the driver knows of a linked user when it calls a device cloud. */
export interface CloudSession {
  vendorUserId: string;
  /** The link the session was opened from, when it was (a BearerToken); a JWT user has none. */
  linkId?: string;
  /** Set where the caller has a deadline: a device cloud waits no longer than it allows. */
  deadline?: Deadline;
  /**
   * The vendor's token, opened when a device cloud asks for it: a cloud that never uses it (the virtual
   * one) never has it decrypted, which spares a cold request the key service's round trip.
   */
  credentials(): Promise<SessionCredentials>;
}

export interface SessionCredentials {
  accessToken: string;
  /** Set when the token is of type `mac`: each request is signed with this key, not sent as a bearer. */
  mac?: { key: string; algorithm: string | undefined };
  /**
   * Set when the token is the driver's own service credential, not the user's (v2 JWT users have no
   * upstream token): the device cloud is told which user the call is for.
   */
  actingFor?: string;
}

/** A link as read for authentication: everything but its credentials, which open on demand. */
export interface LinkHeader extends Omit<Link, 'credentials'> {
  credentials: { expiresAt?: number };
  openCredentials(): Promise<UpstreamCredentials>;
}

/**
 * The vendor's device cloud. It answers with raw data: the domain validates every device and state
 * before Homebase sees it. Failures are thrown as HomebaseErrors.
 */
export interface DeviceCloud {
  list(session: CloudSession): Promise<unknown[]>;
  /** The device, or undefined when the user has no such device. */
  get(session: CloudSession, deviceId: string): Promise<unknown>;
  /**
   * Applies the action; answers the device's new state. An error answer means nothing was applied; a failure
   * after the request went out carries `mayHaveActed`.
   */
  execute(session: CloudSession, deviceId: string, action: Action, options?: SendOptions): Promise<unknown>;
}

export interface SendOptions {
  /**
   * Names this request: the same key is the same request, so a cloud can apply a retried one once. v2 gives each
   * message its own (its at-most-once record's key); without one the adapter makes a fresh one.
   */
  idempotencyKey?: string;
}

/** A token grant from an upstream account service, in the driver's terms. */
export interface UpstreamGrant {
  accessToken: string;
  refreshToken?: string;
  /** Seconds until the access token expires, when the upstream says. */
  expiresIn?: number;
  /** Every other field the upstream returned, kept as it came. */
  extra: Record<string, unknown>;
}

/** An account service that signs users in with a password or a validate code (UserCenter, seed 004). */
export interface PasswordUpstream {
  tokenByPassword(username: string, password: string): Promise<UpstreamGrant>;
  tokenByValidateCode(username: string, validateCode: string): Promise<UpstreamGrant>;
  /** The vendor's id for the user the token belongs to. */
  userIdOf(accessToken: string): Promise<string>;
}

/** An upstream that can refresh the credentials it issued (UserCenter, an OAuth 2.0 authorization server). */
export interface TokenRefresher {
  /**
   * Throws UpstreamError; `invalid_grant` means the refresh token will never work again. `redirectUri` is
   * the one the link was made with, which some servers want on the refresh grant too.
   */
  refresh(refreshToken: string, context?: { redirectUri?: string | undefined }): Promise<UpstreamGrant>;
}

/** An upstream that can end a grant it issued: RFC 7009 revocation, or UserCenter's destroyToken. */
export interface UpstreamRevoker {
  /**
   * Ends the grant behind these credentials. Answers `not_offered` when the upstream has no way to
   * (an OAuth server without a revocation endpoint). Throws UpstreamError when it could not be done.
   */
  revoke(credentials: UpstreamCredentials): Promise<'revoked' | 'not_offered'>;
}

/** The vendor's OAuth 2.0 authorization server, as the driver's linking flows need it. */
export interface OAuthUpstream {
  /** Where to send the browser: the authorization endpoint with the code flow's parameters (PKCE S256). */
  authorizationUrl(request: { redirectUri: string; state: string; codeChallenge: string; extra?: Record<string, string> }): Promise<string>;
  /** Exchanges the code; answers the grant and the vendor's id for the user. Throws UpstreamError. */
  exchange(request: {
    /** The callback's query as received (code, state, iss, ...). */
    callbackParams: Record<string, string>;
    redirectUri: string;
    codeVerifier: string;
  }): Promise<{ grant: UpstreamGrant; vendorUserId: string }>;
}

/**
 * An authorization request made to the driver's own OAuth 2.0 server (RFC 6749 §4.1.1), kept while the
 * person signs in: where the code goes, and what the token request must then match.
 */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Whether the request named the redirect_uri: then the token request must name the same (§4.1.3). */
  redirectUriSent: boolean;
  /** The client's state, echoed back as it came. */
  state?: string;
  /** PKCE S256 (RFC 7636), when the client sent one. */
  codeChallenge?: string;
  scope?: string;
}

/** A started authorization, waiting for the browser to come back (10 minutes at most): sealed in its `state`. */
export interface PendingAuthorization {
  codeVerifier: string;
  /**
   * Where the browser returns: Homebase's callbackURL, seed 003's device token slot, or the client of
   * the driver's OAuth 2.0 server (with the hash of the sign-in form's CSRF token, when the driver signs
   * the person in itself).
   */
  target:
    | { kind: 'homebase'; callbackURL: string }
    | { kind: 'device'; appId: string; deviceId: string; requestId: string }
    | { kind: 'oauth2'; request: AuthorizationRequest; csrfHash?: string };
  expiresAt: number;
  /** The cookie that binds it to the browser that started it, by name, and the hash of its value. */
  binding?: { name: string; hash: string };
}

/** An authorization code the driver's OAuth 2.0 server issued: the link it names and the request it answers. */
export interface IssuedCode {
  linkId: string;
  request: AuthorizationRequest;
}

/** Single-use records of the OAuth flows. Every consume is a conditional write: exactly once. */
export interface AuthorizationStore {
  /** Records a pending authorization's state (its hash) as used, until it expires: true the first time only. */
  useState(stateHash: string, expiresAt: number): Promise<boolean>;
  /** A driver code (stored as its hash) that names a link, valid until `expiresAt`. */
  saveCode(codeHash: string, linkId: string, expiresAt: number): Promise<void>;
  /** The link id, once; undefined if unknown, expired or already used. */
  consumeCode(codeHash: string, now: number): Promise<string | undefined>;
  /** An authorization code of the OAuth 2.0 server (stored as its hash), valid until `expiresAt`. */
  saveIssuedCode(codeHash: string, code: IssuedCode, expiresAt: number): Promise<void>;
  /**
   * The code, once. A second redemption answers it with `replayed` (RFC 6749 §4.1.2: the grant it made
   * should then be revoked); undefined if unknown or expired.
   */
  redeemIssuedCode(codeHash: string, now: number): Promise<{ code: IssuedCode; replayed: boolean } | undefined>;
  /** Seed 003: the token a device authorization produced, kept for a while. */
  saveDeviceToken(
    key: { appId: string; deviceId: string; requestId: string },
    token: Record<string, unknown>,
    issuedAt: number,
  ): Promise<void>;
  deviceToken(key: {
    appId: string;
    deviceId: string;
    requestId: string;
  }): Promise<{ token: Record<string, unknown>; issuedAt: number } | undefined>;
}

/**
 * Seals the vendor credentials the driver keeps, so that a copy of the table (or a backup) holds no
 * usable token. `context` binds a sealed value to what it belongs to: it opens only with the same one.
 */
export interface CredentialCipher {
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
  /** Fetches a data key now, so the first seal does not wait for one (a function that seals on its first request). */
  warm?(): void;
}

export type { EventMetrics } from './events/metrics.ts';
// State reports' ports are imported from events/ports.ts itself: it takes UpstreamGrant from here, and a re-export would close a cycle.
export type { AttemptStore, ThrottleRecord } from './limits/ports.ts';
export type {
  DiagnosticsLog,
  DirectiveMetrics,
  RefreshMetrics,
  RevocationMetrics,
  SecurityEvents,
  SignInMetrics,
  UpstreamMetrics,
} from './telemetry.ts';
export type { MessageRecord, ReplyClaim, ReplyStore } from './v2/replies.ts';
