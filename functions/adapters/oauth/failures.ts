import * as oauth from 'oauth4webapi';
import { UpstreamError } from '../../domain/upstream-error.ts';
import { VENDOR_CODE } from './vendor-answers.ts';

/** Which kind of failure: the server refused (an OAuth error, 4xx), or its answer could not be read. */
export function classify(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const vendorCode = (error.cause as Record<string, unknown> | undefined)?.[VENDOR_CODE];
    const failure = error.error === 'invalid_grant' ? 'invalid_grant' : 'rejected';
    return new UpstreamError(failure, `the authorization server refused: ${error.error}`, {
      upstreamCode: vendorCode === undefined ? error.error : String(vendorCode),
      cause: error,
    });
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return new UpstreamError('rejected', `the authorization was refused: ${error.error}`, { upstreamCode: error.error, cause: error });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return new UpstreamError('rejected', `the authorization server refused the client (HTTP ${error.status})`, {
      upstreamCode: String(error.status),
      cause: error,
    });
  }
  // oauth4webapi's messages name the field and never quote the body.
  return new UpstreamError('malformed', `the authorization server's answer could not be read: ${(error as Error).message}`, {
    cause: error,
  });
}
