/**
 * What a token refresh computes, for links' upstream tokens (link-refresher.ts, the vault) and state-report grants'
 * event tokens (events/grant-refresher.ts) alike: the credentials a grant becomes, when they are next due, and when
 * a refresh that failed is tried again. Apart from schedule.ts and vault/sessions.ts, which the stateReports consumer
 * loads at import, so that the grant refresher it loads after a 401 or 403 shares no module with them: esbuild would
 * cut a module both reach into a chunk of its own, one more file loaded at import (docs/performance.md).
 */
import type { UpstreamGrant } from '../ports.ts';
import type { UpstreamCredentials } from '../vault/link.ts';
import type { RefreshPolicy } from './schedule.ts';

/**
 * The next time the job should refresh: `leadS` before expiry, and no later than `maxIdleS` after the
 * last refresh. Undefined when there is no refresh token, since nothing could be done then.
 */
export function nextDueAt(credentials: UpstreamCredentials, lastRefreshedAt: number, policy: RefreshPolicy): number | undefined {
  if (credentials.refreshToken === undefined) return undefined;
  const idleLimit = lastRefreshedAt + policy.maxIdleS;
  return credentials.expiresAt === undefined ? idleLimit : Math.min(credentials.expiresAt - policy.leadS, idleLimit);
}

/**
 * When to try again after the `failures`-th transient failure in a row. Full jitter in the upper
 * half spreads a fleet of links that failed together (an upstream outage) so they do not return together.
 */
export function backoffDueAt(now: number, failures: number, policy: RefreshPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.backoffMaxS, policy.backoffBaseS * 2 ** Math.max(0, failures - 1));
  return now + Math.ceil(ceiling / 2 + (ceiling / 2) * random());
}

/** The credentials an upstream grant is stored as (a link's, a state-report grant's). */
export function credentialsFrom(grant: UpstreamGrant, now: number): UpstreamCredentials {
  const credentials: UpstreamCredentials = { accessToken: grant.accessToken, extra: grant.extra };
  if (grant.refreshToken !== undefined) credentials.refreshToken = grant.refreshToken;
  if (grant.expiresIn !== undefined) credentials.expiresAt = now + grant.expiresIn;
  return credentials;
}
