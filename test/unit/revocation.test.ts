/** Revoking links and retiring expired ones, on the in-memory store and a fake clock: no network. */
import { describe, expect, it } from 'vitest';
import { InvalidAuthorizationError } from '../../functions/domain/errors.ts';
import type { TokenRefresher, UpstreamGrant, UpstreamRevoker } from '../../functions/domain/ports.ts';
import { LinkRefresher } from '../../functions/domain/refresh/link-refresher.ts';
import { RefreshJob } from '../../functions/domain/refresh/refresh-job.ts';
import { DEFAULT_POLICY, nextVisitAt } from '../../functions/domain/refresh/schedule.ts';
import { LinkRevoker } from '../../functions/domain/revocation/link-revoker.ts';
import { UpstreamError } from '../../functions/domain/upstream-error.ts';
import type { Link, UpstreamCredentials } from '../../functions/domain/vault/link.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { aLink } from '../contracts/link-store.contract.ts';
import { CountingMetrics, FakeClock, InMemoryLinkStore, RecordingLog } from '../support/in-memory.ts';

/** An upstream that refreshes and revokes as the test says, and remembers what it was given. */
class ScriptedUpstream implements TokenRefresher, UpstreamRevoker {
  revoked: string[] = [];
  refreshed: string[] = [];
  onRevoke: () => Promise<'revoked' | 'not_offered'> = async () => 'revoked';
  async revoke(credentials: UpstreamCredentials) {
    const outcome = await this.onRevoke();
    this.revoked.push(credentials.refreshToken ?? credentials.accessToken);
    return outcome;
  }
  async refresh(refreshToken: string): Promise<UpstreamGrant> {
    this.refreshed.push(refreshToken);
    return { accessToken: `a-${this.refreshed.length}`, refreshToken: `r-${this.refreshed.length}`, expiresIn: 3600, extra: {} };
  }
}

function world() {
  const clock = new FakeClock();
  const links = new InMemoryLinkStore();
  const upstream = new ScriptedUpstream();
  const metrics = new CountingMetrics();
  const log = new RecordingLog();
  const policy = DEFAULT_POLICY;
  const vault = new TokenVault({ links, clock, settings: { userTokenTtlS: 86_400, refreshTokenTtlS: 30 * 86_400, refresh: policy } });
  const revoker = new LinkRevoker({ links, upstreams: { usercenter: upstream }, clock, policy, metrics, log, random: () => 1 });
  const refresher = new LinkRefresher({ links, upstreams: { usercenter: upstream }, clock, policy, metrics, log, random: () => 1 });
  const job = new RefreshJob({ links, refresher, revoker, clock, log, settings: { concurrency: 2, reserveMs: 0 } });
  const link = async (vendorUserId: string, refreshToken = `r0-${vendorUserId}`) => {
    const auth = await vault.link(vendorUserId, 'usercenter', { accessToken: 'a0', refreshToken, expiresIn: 7200, extra: {} });
    return { auth, linkId: linkIdOf('hbu', auth.userToken)! };
  };
  const run = () => job.run({ requestId: 'r', remainingMs: () => 60_000 });
  return { clock, links, upstream, metrics, log, vault, revoker, job, link, run };
}

describe('when the refresh job next visits a link', () => {
  const base = aLink({ refreshDueAt: 1400, userTokenExpiresAt: 3000, refreshTokenExpiresAt: 5000, updatedAt: 900 });

  it('is its refresh, or its retirement when that comes first', () => {
    expect(nextVisitAt(base)).toBe(1400);
    expect(nextVisitAt({ ...base, refreshDueAt: 6000 })).toBe(5000);
  });

  it('is its retirement when it cannot be refreshed', () => {
    const { refreshDueAt: _due, ...noRefresh } = base;
    expect(nextVisitAt(noRefresh)).toBe(5000);
    expect(nextVisitAt({ ...base, status: 'needs_relink' })).toBe(5000);
  });

  it('is the retry of a revoked link, or at once', () => {
    expect(nextVisitAt({ ...base, status: 'revoked' })).toBe(1400);
    const { refreshDueAt: _due, ...revoked } = { ...base, status: 'revoked' as const };
    expect(nextVisitAt(revoked)).toBe(900);
  });
});

describe('revoking a vendor user', () => {
  it('ends every link of that user at once and revokes each upstream grant, leaving other users alone', async () => {
    const w = world();
    const first = await w.link('alice', 'r-alice-1');
    const second = await w.link('alice', 'r-alice-2');
    const bob = await w.link('bob');

    const outcomes = await w.revoker.revokeVendorUser('alice', 'operator');

    expect(outcomes.map((o) => o.kind)).toEqual(['revoked', 'revoked']);
    expect(w.upstream.revoked.sort()).toEqual(['r-alice-1', 'r-alice-2']);
    await expect(w.links.get(first.linkId)).resolves.toBeUndefined();
    await expect(w.links.get(second.linkId)).resolves.toBeUndefined();
    await expect(w.vault.authenticate(first.auth)).rejects.toMatchObject({
      errorName: 'E_DRIVER_SIGN_ERROR',
      message: expect.stringContaining('not recognised'),
    });
    await expect(w.vault.authenticate(bob.auth)).resolves.toMatchObject({ link: { vendorUserId: 'bob', status: 'active' } });
    expect(w.metrics.counts.linkRevoked).toBe(2);
    expect(w.log.lines.filter((l) => l.message === 'Link revoked')).toHaveLength(2);
    expect(JSON.stringify(w.log.lines)).not.toContain('r-alice');
  });

  it('answers an empty list for a user with no links, and gone for a link that is not there', async () => {
    const w = world();
    await expect(w.revoker.revokeVendorUser('nobody', 'operator')).resolves.toEqual([]);
    await expect(w.revoker.revokeLink('no-such-link', 'operator')).resolves.toEqual({ kind: 'gone', linkId: 'no-such-link' });
  });

  it('still deletes the link when the upstream offers no revocation, and says so', async () => {
    const w = world();
    const { linkId } = await w.link('alice');
    w.upstream.onRevoke = async () => 'not_offered';
    await expect(w.revoker.revokeLink(linkId, 'operator')).resolves.toEqual({ kind: 'revoked', linkId, upstream: 'not_offered' });
    await expect(w.links.get(linkId)).resolves.toBeUndefined();
  });

  it('when the upstream fails, ends the driver tokens anyway, keeps the link for the job, and the job finishes it', async () => {
    const w = world();
    const { auth, linkId } = await w.link('alice');
    w.upstream.onRevoke = async () => {
      throw new UpstreamError('unavailable', 'HTTP 503', { upstreamCode: '503' });
    };

    const outcome = await w.revoker.revokeLink(linkId, 'operator');

    expect(outcome).toEqual({ kind: 'upstream_failed', linkId, reason: 'HTTP 503' });
    await expect(w.vault.authenticate(auth)).rejects.toThrow(InvalidAuthorizationError);
    const kept = (await w.links.get(linkId))!;
    expect(kept).toMatchObject({ status: 'revoked', refreshFailures: 1, refreshDueAt: w.clock.now() + 60 });
    expect(w.metrics.counts.revocationFailed).toBe(1);
    expect(w.metrics.failures).toEqual({ unavailable: 1 });
    expect(w.log.lines.at(-1)).toMatchObject({ level: 'warn', details: { linkId, kind: 'unavailable', upstreamCode: '503' } });

    // Not before its retry time, and never refreshed meanwhile.
    await expect(w.run()).resolves.toMatchObject({ retired: 0, retireFailed: 0, refreshed: 0 });
    w.upstream.onRevoke = async () => 'revoked';
    w.clock.advance(60);
    await expect(w.run()).resolves.toMatchObject({ retired: 1, refreshed: 0 });
    await expect(w.links.get(linkId)).resolves.toBeUndefined();
    expect(w.upstream.refreshed).toEqual([]);
  });

  it('also revokes credentials a refresher stored while the revocation ran', async () => {
    const w = world();
    const { linkId } = await w.link('alice', 'r-old');
    const original = w.upstream.onRevoke;
    // The upstream call is where a refresher holding the lease gets to store rotated credentials.
    w.upstream.onRevoke = async () => {
      w.upstream.onRevoke = original;
      const current = (await w.links.get(linkId)) as Link;
      await w.links.update({ ...current, credentials: { ...current.credentials, refreshToken: 'r-new' }, version: current.version + 1 });
      return 'revoked';
    };
    await expect(w.revoker.revokeLink(linkId, 'operator')).resolves.toMatchObject({ kind: 'revoked' });
    expect(w.upstream.revoked).toEqual(['r-old', 'r-new']);
    await expect(w.links.get(linkId)).resolves.toBeUndefined();
  });
});

describe('the refresh job retires links nobody can use', () => {
  it('revokes upstream and deletes a link once its driver tokens have all expired, instead of refreshing it', async () => {
    const w = world();
    const { linkId } = await w.link('alice', 'r-alice');
    const link = (await w.links.get(linkId))!;
    w.clock.seconds = Math.max(link.userTokenExpiresAt, link.refreshTokenExpiresAt) - 1;
    // Refreshed right up to the end...
    await expect(w.run()).resolves.toMatchObject({ refreshed: 1, retired: 0 });
    w.clock.advance(1);
    // ...and retired on the second its last driver token expires.
    await expect(w.run()).resolves.toMatchObject({ refreshed: 0, retired: 1 });
    expect(w.upstream.revoked).toEqual(['r-1']);
    expect(w.upstream.refreshed).toEqual(['r-alice']);
    await expect(w.links.get(linkId)).resolves.toBeUndefined();
    expect(w.log.lines.find((l) => l.message === 'Link revoked')).toMatchObject({ details: { cause: 'expired', linkId } });
  });

  it('retires a link that needs a relink too: its grant upstream is revoked all the same', async () => {
    const w = world();
    const { linkId } = await w.link('alice', 'r-alice');
    const link = (await w.links.get(linkId))!;
    const { refreshDueAt: _due, ...relink } = link;
    await w.links.update({ ...relink, status: 'needs_relink', version: link.version + 1 });
    w.clock.seconds = link.refreshTokenExpiresAt;
    await expect(w.run()).resolves.toMatchObject({ retired: 1 });
    expect(w.upstream.revoked).toEqual(['r-alice']);
  });
});
