/**
 * A fresh event token for a grant whose token the gateway refused (401: expired; 403: refused, to be confirmed
 * with a fresh one): refreshed under the grant's lease, unless another delivery or the refresh job already has.
 */
import { crypto } from '../../runtime/builtins.ts';
import type { EventGrant } from './grant.ts';
import type { GrantRenewer } from './ports.ts';

type Renewal =
  | { kind: 'renewed'; token: string }
  /** The grant ended (its refresh token was refused, or someone ended it meanwhile). */
  | { kind: 'ended' }
  /** Not now (the token endpoint is down, or another refresher holds the lease): the event is retried. */
  | { kind: 'later'; reason: string };

export async function renewToken(refresher: GrantRenewer, grant: EventGrant, why: '401' | '403', leaseS: number): Promise<Renewal> {
  const used = grant.credentials.accessToken;
  const outcome = await refresher.refresh(grant.key, {
    owner: `gateway-${why}:${crypto.randomUUID()}`,
    leaseS,
    needed: (current) => current.status === 'active' && current.credentials.accessToken === used,
  });
  switch (outcome.kind) {
    case 'refreshed':
      return { kind: 'renewed', token: outcome.grant.credentials.accessToken };
    case 'not_needed':
      return outcome.grant.status === 'active' ? { kind: 'renewed', token: outcome.grant.credentials.accessToken } : { kind: 'ended' };
    case 'ended':
    case 'gone':
      return { kind: 'ended' };
    default:
      return { kind: 'later', reason: `the event token was refused (${why}) and could not be refreshed yet` };
  }
}
