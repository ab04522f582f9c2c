/**
 * How an upstream (account service or authorization server) failed, in terms the domain can act on.
 * Adapters classify; the domain decides what each kind means for the caller.
 */
export type UpstreamFailure =
  /** The user's credentials were refused. */
  | 'invalid_credentials'
  /** A token or grant is no longer valid; asking again will not help. */
  | 'invalid_grant'
  /** The upstream answered with a refusal of another kind. */
  | 'rejected'
  /** No answer, a timeout or a 5xx/429: worth trying again later. */
  | 'unavailable'
  /** An answer the driver cannot read. */
  | 'malformed';

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;
  readonly upstreamCode: string | undefined;

  constructor(failure: UpstreamFailure, message: string, options: { upstreamCode?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpstreamError';
    this.failure = failure;
    this.upstreamCode = options.upstreamCode;
  }
}

/** What a person or an operator needs to know of a failure: was it refused, unreadable, or unanswered? */
export type FailureKind = 'refused' | 'unreadable' | 'unavailable';

export const kindOf = (failure: UpstreamFailure): FailureKind =>
  failure === 'unavailable' ? 'unavailable' : failure === 'malformed' ? 'unreadable' : 'refused';
