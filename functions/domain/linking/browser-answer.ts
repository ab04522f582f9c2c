import type { Binding } from './pending-states.ts';

/**
 * What a browser route answers, in the domain's terms: where to send the person, or what to show
 * them and how it went. The browser handler turns an outcome into an HTTP status.
 */
export type Outcome =
  /** It worked. */
  | 'ok'
  /** The request was missing something or named something that has expired. */
  | 'bad_request'
  /** Nothing is here for this caller. */
  | 'not_found'
  /** The account service failed or refused. */
  | 'upstream_failed'
  /** Too many attempts; try again later. */
  | 'rate_limited';

export type BrowserAnswer =
  /** `binding`: a cookie to set with the redirect, tying the sign-in to this browser (pending-states.ts). */
  | { kind: 'redirect'; location: string; binding?: Binding }
  | { kind: 'page'; outcome: Outcome; title: string; message: string }
  | { kind: 'json'; outcome: Outcome; body: unknown }
  | { kind: 'text'; outcome: Outcome; body: string };

export const EXPIRED_SIGN_IN: BrowserAnswer = {
  kind: 'page',
  outcome: 'bad_request',
  title: 'This sign-in link is no longer valid',
  message: 'It has expired, was already used, or was not issued by this service. Start linking your account again in the Rokid app.',
};

/** The query without its absent values, as the upstream adapter takes it. */
export const defined = (query: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
