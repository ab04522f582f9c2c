/**
 * Homebase v1 error names, one typed error each. A handler turns any of these into the
 * error envelope `{status: 1, errorName, message, vendorErrorCode?, debugInfo?}`.
 *
 * Messages are read by people (engineers in Rokid's console, sometimes end users), so each
 * one says what went wrong and what to do. None may carry a token or a stack trace.
 */

export const STANDARD_ERROR_NAMES = [
  'E_DRIVER_ERROR',
  'E_INVALID_AUTHORIZATION',
  'E_DRIVER_SIGN_ERROR',
  'E_DRIVER_DEVICE_NO_FOUND',
  'E_DRIVER_TIMEOUT',
  'E_DRIVER_WRONG_USERNAME_PASSWORD',
  'E_DRIVER_LOGIN_FAILED',
  'E_CHANNEL_NOT_FOUND',
  'E_VALUE_OUT_OF_RANGE',
  'E_ENDPOINT_BUSY',
  'E_ENDPOINT_UNBOUND',
  'E_ENDPOINT_REVOKED_AUTHORIZATION',
  'E_ENDPOINT_NEEDS_UPGRADE',
  'E_ENDPOINT_UNREACHABLE',
  'E_GATEWAY_UNREACHABLE',
  'E_SERVER_UNREACHABLE',
] as const;

/** Home-music names; the protocol's media errors keep their historical spellings. */
export const MEDIA_ERROR_NAMES = [
  'E_MEDIA_RESOURCE_NOT_FOUND',
  'E_DRIVER_FAVORITE_NOT_FOUND',
  'E_DRIVER_MEDIA_NO_PREV',
  'E_DRIVER_MEDIA_NO_NEXT',
  'E_DRIVER_MEDIA_NOT_PLAYING',
] as const;

export type ErrorName = (typeof STANDARD_ERROR_NAMES)[number] | (typeof MEDIA_ERROR_NAMES)[number];

const ERROR_NAMES: ReadonlySet<string> = new Set([...STANDARD_ERROR_NAMES, ...MEDIA_ERROR_NAMES]);
export const isErrorName = (value: unknown): value is ErrorName => typeof value === 'string' && ERROR_NAMES.has(value);

export interface ErrorDetails {
  /** The vendor's own code, passed through from a device cloud or upstream. */
  vendorErrorCode?: string;
  /** Extra context for an engineer; never a secret. */
  debugInfo?: string;
  cause?: unknown;
  /**
   * The request reached the device (or the token endpoint) and what it did is unknown: a timeout, a connection
   * dropped after sending, an answer that could not be read. v2 never sends such a message again.
   */
  mayHaveActed?: boolean;
}

export abstract class HomebaseError extends Error {
  abstract readonly errorName: ErrorName;
  readonly vendorErrorCode: string | undefined;
  readonly debugInfo: string | undefined;
  readonly mayHaveActed: boolean;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.vendorErrorCode = details.vendorErrorCode;
    this.debugInfo = details.debugInfo;
    this.mayHaveActed = details.mayHaveActed ?? false;
  }
}

/** Builds the base class for one error name, so each error below is one line and a real class. */
function named<N extends ErrorName>(errorName: N) {
  abstract class Named extends HomebaseError {
    readonly errorName: N = errorName;
  }
  return Named;
}

export class DriverError extends named('E_DRIVER_ERROR') {}
export class InvalidAuthorizationError extends named('E_INVALID_AUTHORIZATION') {}
export class SignError extends named('E_DRIVER_SIGN_ERROR') {}
/**
 * A driver token that was ours and has expired, as opposed to one unknown, revoked or not ours. v1 names
 * both E_DRIVER_SIGN_ERROR; v2 tells them apart (E_AUTHORIZATION_EXPIRED, E_INVALID_AUTHORIZATION).
 */
export class ExpiredTokenError extends SignError {}
export class DeviceNotFoundError extends named('E_DRIVER_DEVICE_NO_FOUND') {}
export class DriverTimeoutError extends named('E_DRIVER_TIMEOUT') {}
export class WrongUsernamePasswordError extends named('E_DRIVER_WRONG_USERNAME_PASSWORD') {}
export class LoginFailedError extends named('E_DRIVER_LOGIN_FAILED') {}
export class ChannelNotFoundError extends named('E_CHANNEL_NOT_FOUND') {}
export class ValueOutOfRangeError extends named('E_VALUE_OUT_OF_RANGE') {}
export class EndpointBusyError extends named('E_ENDPOINT_BUSY') {}
export class EndpointUnboundError extends named('E_ENDPOINT_UNBOUND') {}
export class EndpointRevokedAuthorizationError extends named('E_ENDPOINT_REVOKED_AUTHORIZATION') {}
export class EndpointNeedsUpgradeError extends named('E_ENDPOINT_NEEDS_UPGRADE') {}
export class EndpointUnreachableError extends named('E_ENDPOINT_UNREACHABLE') {}
export class GatewayUnreachableError extends named('E_GATEWAY_UNREACHABLE') {}
export class ServerUnreachableError extends named('E_SERVER_UNREACHABLE') {}

export class MediaResourceNotFoundError extends named('E_MEDIA_RESOURCE_NOT_FOUND') {}
export class FavoriteNotFoundError extends named('E_DRIVER_FAVORITE_NOT_FOUND') {}
export class MediaNoPreviousError extends named('E_DRIVER_MEDIA_NO_PREV') {}
export class MediaNoNextError extends named('E_DRIVER_MEDIA_NO_NEXT') {}
export class MediaNotPlayingError extends named('E_DRIVER_MEDIA_NOT_PLAYING') {}

/** One class per name, for code that must raise an error whose name arrives at run time (a device cloud's answer). */
export const ERROR_CLASSES = {
  E_DRIVER_ERROR: DriverError,
  E_INVALID_AUTHORIZATION: InvalidAuthorizationError,
  E_DRIVER_SIGN_ERROR: SignError,
  E_DRIVER_DEVICE_NO_FOUND: DeviceNotFoundError,
  E_DRIVER_TIMEOUT: DriverTimeoutError,
  E_DRIVER_WRONG_USERNAME_PASSWORD: WrongUsernamePasswordError,
  E_DRIVER_LOGIN_FAILED: LoginFailedError,
  E_CHANNEL_NOT_FOUND: ChannelNotFoundError,
  E_VALUE_OUT_OF_RANGE: ValueOutOfRangeError,
  E_ENDPOINT_BUSY: EndpointBusyError,
  E_ENDPOINT_UNBOUND: EndpointUnboundError,
  E_ENDPOINT_REVOKED_AUTHORIZATION: EndpointRevokedAuthorizationError,
  E_ENDPOINT_NEEDS_UPGRADE: EndpointNeedsUpgradeError,
  E_ENDPOINT_UNREACHABLE: EndpointUnreachableError,
  E_GATEWAY_UNREACHABLE: GatewayUnreachableError,
  E_SERVER_UNREACHABLE: ServerUnreachableError,
  E_MEDIA_RESOURCE_NOT_FOUND: MediaResourceNotFoundError,
  E_DRIVER_FAVORITE_NOT_FOUND: FavoriteNotFoundError,
  E_DRIVER_MEDIA_NO_PREV: MediaNoPreviousError,
  E_DRIVER_MEDIA_NO_NEXT: MediaNoNextError,
  E_DRIVER_MEDIA_NOT_PLAYING: MediaNotPlayingError,
} as const satisfies Record<ErrorName, new (message: string, details?: ErrorDetails) => HomebaseError>;

/** The wire shape of a failed call. `status` is always 1: the protocol only asks for a positive integer. */
export interface ErrorEnvelope {
  status: number;
  errorName: ErrorName;
  message: string;
  vendorErrorCode?: string;
  debugInfo?: string;
}

export function toErrorEnvelope(error: HomebaseError): ErrorEnvelope {
  const envelope: ErrorEnvelope = { status: 1, errorName: error.errorName, message: error.message };
  if (error.vendorErrorCode !== undefined) envelope.vendorErrorCode = error.vendorErrorCode;
  if (error.debugInfo !== undefined) envelope.debugInfo = error.debugInfo;
  return envelope;
}
