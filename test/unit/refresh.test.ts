/** The refresh rules, on the in-memory store and a fake clock: no network. */
import { describe, expect, it } from 'vitest';
import type { TokenRefresher, UpstreamGrant, UpstreamRevoker } from '../../functions/domain/ports.ts';
import { FreshSessions } from '../../functions/domain/refresh/fresh-sessions.ts';
import { LinkRefresher, renewed } from '../../functions/domain/refresh/link-refresher.ts';
import { emptyReport, RefreshJob } from '../../functions/domain/refresh/refresh-job.ts';
import { backoffDueAt, nextDueAt } from '../../functions/domain/refresh/refreshed-credentials.ts';
import { DEFAULT_POLICY, expiresSoon, hasExpired, isDue } from '../../functions/domain/refresh/schedule.ts';
import { LinkRevoker } from '../../functions/domain/revocation/link-revoker.ts';
import { UpstreamError } from '../../functions/domain/upstream-error.ts';
import type { UpstreamCredentials } from '../../functions/domain/vault/link.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { CountingMetrics, FakeClock, InMemoryLinkStore, RecordingLog } from '../support/in-memory.ts';

const policy = DEFAULT_POLICY;

describe('when a link falls due', () => {
  const credentials = { accessToken: 'a', refreshToken: 'r', expiresAt: 10_000, extra: {} };

  it('is lead seconds before expiry', () => {
    expect(nextDueAt(credentials, 9_000, policy)).toBe(10_000 - 600);
  });

  it('is at most 24 hours after the last refresh, even for a token that lives longer or does not expire', () => {
    expect(nextDueAt({ ...credentials, expiresAt: 1_000_000 }, 5_000, policy)).toBe(5_000 + 86_400);
    expect(nextDueAt({ accessToken: 'a', refreshToken: 'r', extra: {} }, 5_000, policy)).toBe(5_000 + 86_400);
  });

  it('is never without a refresh token, since there is nothing to refresh with', () => {
    expect(nextDueAt({ accessToken: 'a', expiresAt: 10_000, extra: {} }, 5_000, policy)).toBeUndefined();
  });

  it('compares expiry the right way round, at both edges', () => {
    expect(hasExpired(credentials, 9_999)).toBe(false);
    expect(hasExpired(credentials, 10_000)).toBe(true);
    expect(expiresSoon(credentials, 10_000 - 61, policy)).toBe(false);
    expect(expiresSoon(credentials, 10_000 - 60, policy)).toBe(true);
    expect(expiresSoon({}, 10_000_000, policy)).toBe(false);
  });

  it('is due at its due second, not the second before', () => {
    const link = { status: 'active', refreshDueAt: 500 } as Parameters<typeof isDue>[0];
    expect(isDue(link, 499)).toBe(false);
    expect(isDue(link, 500)).toBe(true);
    expect(isDue({ ...link, status: 'needs_relink' }, 500)).toBe(false);
  });
});

describe('backoff after transient failures', () => {
  it('doubles from 60 s, caps at an hour, and jitters within the upper half', () => {
    expect(backoffDueAt(0, 1, policy, () => 0)).toBe(30);
    expect(backoffDueAt(0, 1, policy, () => 1)).toBe(60);
    expect(backoffDueAt(0, 3, policy, () => 1)).toBe(240);
    expect(backoffDueAt(0, 20, policy, () => 1)).toBe(3600);
    expect(backoffDueAt(0, 20, policy, () => 0)).toBe(1800);
  });
});

describe('a successful refresh', () => {
  it('keeps the stored refresh token when the answer has none, and merges extra fields', () => {
    const previous = { accessToken: 'a1', refreshToken: 'r1', expiresAt: 100, extra: { open_id: 'o', scope: 'x' } };
    expect(renewed(previous, { accessToken: 'a2', expiresIn: 60, extra: { scope: 'y', mac_key: 'k' } }, 1000)).toEqual({
      accessToken: 'a2',
      refreshToken: 'r1',
      expiresAt: 1060,
      extra: { open_id: 'o', scope: 'y', mac_key: 'k' },
    });
    expect(renewed(previous, { accessToken: 'a2', refreshToken: 'r2', extra: {} }, 1000)).toMatchObject({ refreshToken: 'r2' });
  });
});

/** A scripted upstream: answers or throws whatever the test says, and counts calls. */
class ScriptedRefresher implements TokenRefresher, UpstreamRevoker {
  calls: string[] = [];
  revoked: string[] = [];
  async revoke(credentials: UpstreamCredentials): Promise<'revoked'> {
    this.revoked.push(credentials.refreshToken ?? credentials.accessToken);
    return 'revoked';
  }
  next: () => Promise<UpstreamGrant> = async () => ({
    accessToken: `a${this.calls.length}`,
    refreshToken: `r${this.calls.length}`,
    expiresIn: 3600,
    extra: {},
  });
  async refresh(refreshToken: string): Promise<UpstreamGrant> {
    this.calls.push(refreshToken);
    return this.next();
  }
}

function world() {
  const clock = new FakeClock();
  const links = new InMemoryLinkStore();
  const upstream = new ScriptedRefresher();
  const metrics = new CountingMetrics();
  const log = new RecordingLog();
  const refresher = new LinkRefresher({ links, upstreams: { usercenter: upstream }, clock, policy, metrics, log, random: () => 1 });
  const vault = new TokenVault({ links, clock, settings: { userTokenTtlS: 86_400, refreshTokenTtlS: 86_400 * 30, refresh: policy } });
  const revoker = new LinkRevoker({ links, upstreams: { usercenter: upstream }, clock, policy, metrics, log });
  const job = new RefreshJob({ links, refresher, revoker, clock, log, settings: { concurrency: 4, reserveMs: 1000 } });
  const link = async (grant: Partial<UpstreamGrant> = {}) => {
    const auth = await vault.link('u1', 'usercenter', { accessToken: 'a0', refreshToken: 'r0', expiresIn: 3600, extra: {}, ...grant });
    return linkIdOf('hbu', auth.userToken)!;
  };
  const sessions = new FreshSessions({ vault, links, refresher, clock, pollMs: 5 });
  return { clock, links, upstream, metrics, log, job, link, revoker, vault, sessions };
}
const run = (job: RefreshJob, remaining = 60_000) => job.run({ requestId: 'r', remainingMs: () => remaining });

describe('the refresh job', () => {
  it('refreshes a link at its due second and not before', async () => {
    const w = world();
    const linkId = await w.link();
    w.clock.advance(3600 - 600 - 1);
    await expect(run(w.job)).resolves.toMatchObject({ refreshed: 0 });
    w.clock.advance(1);
    await expect(run(w.job)).resolves.toMatchObject({ refreshed: 1 });
    expect(w.upstream.calls).toEqual(['r0']);
    expect((await w.links.get(linkId))!.refreshDueAt).toBe(w.clock.now() + 3600 - 600);
  });

  it('refreshes an idle link every 24 hours even when its token lives longer', async () => {
    const w = world();
    await w.link({ expiresIn: 30 * 86_400 });
    w.upstream.next = async () => ({ accessToken: 'a', extra: {}, expiresIn: 30 * 86_400 });
    w.clock.advance(86_400 - 1);
    await expect(run(w.job)).resolves.toMatchObject({ refreshed: 0 });
    w.clock.advance(1);
    await expect(run(w.job)).resolves.toMatchObject({ refreshed: 1 });
    w.clock.advance(86_400);
    await expect(run(w.job)).resolves.toMatchObject({ refreshed: 1 });
    expect(w.upstream.calls).toEqual(['r0', 'r0']);
  });

  it('keeps the stored refresh token when the upstream answers without one', async () => {
    const w = world();
    const linkId = await w.link();
    w.upstream.next = async () => ({ accessToken: 'a-new', expiresIn: 3600, extra: { scope: 'devices' } });
    w.clock.advance(3600);
    await run(w.job);
    expect((await w.links.get(linkId))!.credentials).toEqual({
      accessToken: 'a-new',
      refreshToken: 'r0',
      expiresAt: w.clock.now() + 3600,
      extra: { scope: 'devices' },
    });
  });

  it("holds each link's lease for the caller's remaining time, and gives it up afterwards", async () => {
    const w = world();
    const linkId = await w.link();
    w.clock.advance(3600);
    let leaseDuringRefresh: number | undefined;
    w.upstream.next = async () => {
      leaseDuringRefresh = (await w.links.get(linkId))!.leaseExpiresAt;
      return { accessToken: 'a1', refreshToken: 'r1', expiresIn: 3600, extra: {} };
    };
    await run(w.job, 42_300);
    expect(leaseDuringRefresh).toBe(w.clock.now() + 43);
    expect((await w.links.get(linkId))!.leaseExpiresAt).toBeUndefined();
  });

  it('keeps new tokens when its lease ran out mid-refresh but nobody else refreshed', async () => {
    const w = world();
    const linkId = await w.link();
    w.clock.advance(3600);
    w.upstream.next = async () => {
      // The lease expires and a crashed-then-recovered peer takes it, but never refreshes.
      w.clock.advance(120);
      await w.links.acquireLease(linkId, { owner: 'peer', expiresAt: w.clock.now() + 60 }, w.clock.now());
      return { accessToken: 'a-new', refreshToken: 'r-new', expiresIn: 3600, extra: {} };
    };
    await expect(run(w.job, 60_000)).resolves.toMatchObject({ refreshed: 1 });
    expect((await w.links.get(linkId))!.credentials).toMatchObject({ accessToken: 'a-new', refreshToken: 'r-new' });
  });

  it("leaves a peer's newer tokens alone when the peer refreshed after taking the lost lease", async () => {
    const w = world();
    const linkId = await w.link();
    w.clock.advance(3600);
    w.upstream.next = async () => {
      w.clock.advance(120);
      const peer = (await w.links.acquireLease(linkId, { owner: 'peer', expiresAt: w.clock.now() + 60 }, w.clock.now()))!;
      await w.links.update({
        ...peer,
        credentials: { ...peer.credentials, accessToken: 'a-peer', refreshToken: 'r-peer' },
        version: peer.version + 1,
      });
      return { accessToken: 'a-late', refreshToken: 'r-late', expiresIn: 3600, extra: {} };
    };
    await expect(run(w.job, 60_000)).resolves.toMatchObject({ refreshed: 0, failed: 1 });
    expect((await w.links.get(linkId))!.credentials).toMatchObject({ accessToken: 'a-peer', refreshToken: 'r-peer' });
  });

  it('stops taking links when its remaining time falls below the reserve, and says so', async () => {
    const w = world();
    await w.link();
    w.clock.advance(3600);
    await expect(run(w.job, 999)).resolves.toEqual({ ...emptyReport(), stoppedEarly: true });
    expect(w.upstream.calls).toEqual([]);
  });

  it('treats an unreadable answer and a refusal of the client as transient, and only invalid_grant as terminal', async () => {
    const w = world();
    const linkId = await w.link();
    w.clock.advance(3600);
    for (const failure of ['malformed', 'rejected', 'unavailable'] as const) {
      w.upstream.next = async () => {
        throw new UpstreamError(failure, failure);
      };
      await expect(run(w.job)).resolves.toMatchObject({ failed: 1, needsRelink: 0 });
      w.clock.advance(3600);
    }
    expect((await w.links.get(linkId))!).toMatchObject({ status: 'active', refreshFailures: 3 });
    w.upstream.next = async () => {
      throw new UpstreamError('invalid_grant', 'refresh_token无效');
    };
    await expect(run(w.job)).resolves.toMatchObject({ failed: 0, needsRelink: 1 });
    expect(w.metrics.counts).toMatchObject({ refreshed: 0, transientFailure: 3, needsRelink: 1 });
  });

  it("an upstream that is not configured is the operators' problem: transient, never a relink", async () => {
    const w = world();
    const links = w.links;
    const refresher = new LinkRefresher({ links, upstreams: {}, clock: w.clock, policy, metrics: w.metrics, log: w.log });
    const linkId = await w.link();
    w.clock.advance(3600);
    const job = new RefreshJob({
      links,
      refresher,
      revoker: w.revoker,
      clock: w.clock,
      log: w.log,
      settings: { concurrency: 1, reserveMs: 0 },
    });
    await expect(run(job)).resolves.toMatchObject({ failed: 1, needsRelink: 0 });
    expect((await links.get(linkId))!.status).toBe('active');
    expect(w.log.lines.at(-1)).toMatchObject({ level: 'warn', details: { reason: 'no usercenter upstream is configured' } });
  });
});

describe('inline refreshes', () => {
  it('two in one invocation are two refreshers: one calls the upstream, the other waits for its token', async () => {
    const w = world();
    const auth = await w.vault.link('u1', 'usercenter', { accessToken: 'a0', refreshToken: 'r0', expiresIn: 3600, extra: {} });
    w.clock.advance(3600);
    // Slow enough that the second asks for the lease while the first holds it.
    w.upstream.next = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { accessToken: 'a1', refreshToken: 'r1', expiresIn: 3600, extra: {} };
    };
    const invocation = { requestId: 'same', remainingMs: () => 60_000 };

    const sessions = await Promise.all([w.sessions.open(auth, invocation), w.sessions.open(auth, invocation)]);
    // Each refresh leases as an owner of its own: a store renews a lease for the same owner (a retried write).
    expect(w.upstream.calls).toEqual(['r0']);
    expect(await Promise.all(sessions.map(async (session) => (await session.credentials()).accessToken))).toEqual(['a1', 'a1']);
  });
});
