/**
 * The errors of the driver's OAuth 2.0 server, named as RFC 6749 §4.1.2.1 and §5.2 and RFC 7009 §2.2.1
 * name them. The HTTP side picks each one's status; the description is read by a person.
 */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable';

export class OAuth2Error extends Error {
  readonly error: OAuth2ErrorCode;
  /** invalid_client only: the client tried HTTP Basic, so the answer carries a Basic challenge (§5.2). */
  readonly basicChallenge: boolean;

  constructor(error: OAuth2ErrorCode, description: string, options: { basicChallenge?: boolean } = {}) {
    super(description);
    this.name = 'OAuth2Error';
    this.error = error;
    this.basicChallenge = options.basicChallenge ?? false;
  }
}
