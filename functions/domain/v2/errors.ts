/**
 * v2's error names (docs v2/error-response.md) and how the driver's v1 errors become them, as the digest's
 * v1 → v2 table gives it. An ErrorResponse's payload carries the name, the vendor's code, a message for
 * engineers (Rokid never shows it to users) and debugging context: all strings, never a token or a stack.
 */
import { type ErrorName, ExpiredTokenError, HomebaseError } from '../errors.ts';

export const V2_ERROR_NAMES = [
  'E_AUTHORIZATION_EXPIRED',
  'E_INVALID_AUTHORIZATION',
  'E_NO_SUCH_ENDPOINT',
  'E_NOT_SUPPORTED_DIRECTIVE',
  'E_VALUE_OUT_OF_RANGE',
  'E_ENDPOINT_BUSY',
  'E_CHANNEL_NOT_FOUND',
  'E_INTERNAL_ERROR',
  'E_ENDPOINT_UNBOUND',
  'E_ENDPOINT_NEEDS_UPGRADE',
  'E_ENDPOINT_UNREACHABLE',
  'E_ENDPOINT_INITIATING',
  'E_GATEWAY_UNREACHABLE',
  'E_SERVER_UNREACHABLE',
  'E_MEDIA_RESOURCE_NOT_FOUND',
  'E_MEDIA_FAVORITE_NOT_FOUND',
  'E_MEDIA_NO_PREV',
  'E_MEDIA_NO_NEXT',
] as const;
export type V2ErrorName = (typeof V2_ERROR_NAMES)[number];

/**
 * Every v1 name, and its v2 name. A driver sign error is an expired token only when the vault says so
 * (ExpiredTokenError); otherwise the token is unknown or revoked, which v2 calls invalid. v1 names with
 * no v2 counterpart (a login's, "not playing") cannot arise from a v2 directive: they are internal there.
 */
const FROM_V1: Record<ErrorName, V2ErrorName> = {
  E_DRIVER_ERROR: 'E_INTERNAL_ERROR',
  E_INVALID_AUTHORIZATION: 'E_INVALID_AUTHORIZATION',
  E_DRIVER_SIGN_ERROR: 'E_INVALID_AUTHORIZATION',
  E_DRIVER_DEVICE_NO_FOUND: 'E_NO_SUCH_ENDPOINT',
  E_DRIVER_TIMEOUT: 'E_ENDPOINT_UNREACHABLE',
  E_DRIVER_WRONG_USERNAME_PASSWORD: 'E_INTERNAL_ERROR',
  E_DRIVER_LOGIN_FAILED: 'E_INTERNAL_ERROR',
  E_CHANNEL_NOT_FOUND: 'E_CHANNEL_NOT_FOUND',
  E_VALUE_OUT_OF_RANGE: 'E_VALUE_OUT_OF_RANGE',
  E_ENDPOINT_BUSY: 'E_ENDPOINT_BUSY',
  E_ENDPOINT_UNBOUND: 'E_ENDPOINT_UNBOUND',
  E_ENDPOINT_REVOKED_AUTHORIZATION: 'E_INVALID_AUTHORIZATION',
  E_ENDPOINT_NEEDS_UPGRADE: 'E_ENDPOINT_NEEDS_UPGRADE',
  E_ENDPOINT_UNREACHABLE: 'E_ENDPOINT_UNREACHABLE',
  E_GATEWAY_UNREACHABLE: 'E_GATEWAY_UNREACHABLE',
  E_SERVER_UNREACHABLE: 'E_SERVER_UNREACHABLE',
  E_MEDIA_RESOURCE_NOT_FOUND: 'E_MEDIA_RESOURCE_NOT_FOUND',
  E_DRIVER_FAVORITE_NOT_FOUND: 'E_MEDIA_FAVORITE_NOT_FOUND',
  E_DRIVER_MEDIA_NO_PREV: 'E_MEDIA_NO_PREV',
  E_DRIVER_MEDIA_NO_NEXT: 'E_MEDIA_NO_NEXT',
  E_DRIVER_MEDIA_NOT_PLAYING: 'E_INTERNAL_ERROR',
};

/** A failure only v2 has a name for (an unsupported directive), or that v2 names apart from v1. */
export class V2Error extends Error {
  readonly v2Name: V2ErrorName;
  /** Names the cause where the name alone does not (the driver's own misconfiguration, AcceptGrant's failures). */
  readonly vendorCode: string;
  /** As HomebaseError's: the request went out, and whether it took effect is unknown. */
  readonly mayHaveActed: boolean;

  constructor(v2Name: V2ErrorName, message: string, details: { vendorCode?: string; mayHaveActed?: boolean } = {}) {
    super(message);
    this.name = 'V2Error';
    this.v2Name = v2Name;
    this.vendorCode = details.vendorCode ?? '';
    this.mayHaveActed = details.mayHaveActed ?? false;
  }
}

/** A failure the driver can name to Rokid (its own, v1's or v2's), as opposed to one it did not expect. */
export const isNamedFailure = (error: unknown): error is V2Error | HomebaseError =>
  error instanceof V2Error || error instanceof HomebaseError;

/**
 * Whether a failure may have left something changed: an unexpected one always may; a named one when its
 * request went out and its outcome is unknown (a timeout after sending).
 */
export const mayHaveActed = (error: unknown): boolean => !isNamedFailure(error) || error.mayHaveActed;

/** Refusals that a resend would meet again, and that changed nothing: kept as the message's answer. */
const FINAL_REFUSALS: ReadonlySet<V2ErrorName> = new Set(['E_VALUE_OUT_OF_RANGE', 'E_NOT_SUPPORTED_DIRECTIVE', 'E_NO_SUCH_ENDPOINT']);
export const isFinalRefusal = (error: unknown): boolean =>
  isNamedFailure(error) && FINAL_REFUSALS.has(error instanceof V2Error ? error.v2Name : v2NameOf(error));

/** An ErrorResponse's payload: every field a string, as the docs require. */
export interface V2ErrorPayload {
  name: V2ErrorName;
  vendorCode: string;
  message: string;
  debugInfo: string;
}

/**
 * The payload for a failure. The driver's own errors keep their message, vendor code and debugging
 * context; anything else is internal, and says only which request to look for in the logs.
 */
export function errorPayload(error: unknown, requestId: string): V2ErrorPayload {
  if (error instanceof V2Error) return { name: error.v2Name, vendorCode: error.vendorCode, message: error.message, debugInfo: '' };
  if (!(error instanceof HomebaseError)) {
    return {
      name: 'E_INTERNAL_ERROR',
      vendorCode: '',
      message: `The driver failed unexpectedly; its operators can find request ${requestId} in the logs.`,
      debugInfo: `requestId=${requestId}`,
    };
  }
  return {
    name: v2NameOf(error),
    vendorCode: error.vendorErrorCode ?? '',
    message: error.message,
    debugInfo: error.debugInfo ?? `v1 ${error.errorName}`,
  };
}

function v2NameOf(error: HomebaseError): V2ErrorName {
  return error instanceof ExpiredTokenError ? 'E_AUTHORIZATION_EXPIRED' : FROM_V1[error.errorName];
}
