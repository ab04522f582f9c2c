/**
 * Unattended refresh against a real, strict authorization server (oidc-provider with refresh-token
 * rotation: presenting a used refresh token revokes the whole grant) and the embedded DynamoDB.
 * The driver's clock is fake so due times and expiry can be moved; the upstream's is real.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { OAuthClient } from '../../functions/adapters/oauth/oauth-client.ts';
import type { CloudSession } from '../../functions/domain/ports.ts';
import { FreshSessions } from '../../functions/domain/refresh/fresh-sessions.ts';
import { LinkRefresher } from '../../functions/domain/refresh/link-refresher.ts';
import { RefreshJob } from '../../functions/domain/refresh/refresh-job.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { LinkRevoker } from '../../functions/domain/revocation/link-revoker.ts';
import { type IssuedUserAuth, TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import type { OAuthServer } from '../../lib/local/oauth-server.ts';
import { testCipher } from '../support/credentials.ts';
import { documentClientAt, testTable } from '../support/dynamodb.ts';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';
import { CountingMetrics, FakeClock, RecordingLog } from '../support/in-memory.ts';
import { grantFor, startTestOAuthServer, TEST_CLIENT } from '../support/oauth.ts';

let table: Awaited<ReturnType<typeof testTable>>;
const cipher = testCipher();
let server: OAuthServer;
beforeAll(async () => {
  [table, server] = await Promise.all([testTable(), startTestOAuthServer()]);
});
afterAll(async () => {
  await server.close();
  await table.close();
});

const invocation = (requestId: string) => ({ requestId, remainingMs: () => 60_000 });

/** `db`: the table as the driver reaches it (a fault proxy in front of it, for some tests). */
function world(db = table.db) {
  const clock = new FakeClock();
  clock.seconds = Math.floor(Date.now() / 1000);
  const links = new DynamoLinkStore(db, table.tableName, cipher);
  const metrics = new CountingMetrics();
  const log = new RecordingLog();
  const upstream = new OAuthClient({
    issuer: server.issuer,
    clientId: TEST_CLIENT.client_id,
    clientSecret: async () => TEST_CLIENT.client_secret,
    clientAuth: 'client_secret_basic',
    timeoutMs: 300,
  });
  const refresher = new LinkRefresher({
    links,
    upstreams: { oauth: upstream },
    clock,
    policy: DEFAULT_POLICY,
    metrics,
    log,
    random: () => 0.5,
  });
  const vault = new TokenVault({
    links,
    clock,
    settings: { userTokenTtlS: 30 * 86400, refreshTokenTtlS: 180 * 86400, refresh: DEFAULT_POLICY },
  });
  const sessions = new FreshSessions({ vault, links, refresher, clock, pollMs: 20 });
  const revoker = new LinkRevoker({ links, upstreams: { oauth: upstream }, clock, policy: DEFAULT_POLICY, metrics, log });
  const job = new RefreshJob({ links, refresher, revoker, clock, log, settings: { concurrency: 16, reserveMs: 1000 } });

  async function linkAccount(): Promise<{ auth: IssuedUserAuth; linkId: string }> {
    const { sub, grant } = await grantFor(server);
    const auth = await vault.link(sub, 'oauth', grant);
    return { auth, linkId: linkIdOf('hbu', auth.userToken)! };
  }
  return { clock, links, metrics, log, refresher, revoker, vault, sessions, job, linkAccount };
}

let w: ReturnType<typeof world>;
beforeEach(() => {
  w = world();
  server.tokenFaults = [];
});

describe('single flight', () => {
  it('50 concurrent refreshers of one link (job runs, inline /list and /execute) make one upstream call, and the link keeps working', async () => {
    const { auth, linkId } = await w.linkAccount();
    const before = (await w.links.get(linkId))!;
    w.clock.advance(3600); // the upstream token has expired
    const callsBefore = server.refreshCalls;

    const jobRuns = Array.from({ length: 10 }, (_, i) => w.job.run(invocation(`job-${i}`)));
    const inline = Array.from({ length: 40 }, (_, i) => w.sessions.open(auth, invocation(`${i % 2 ? 'list' : 'execute'}-${i}`)));
    const [reports, sessions] = await Promise.all([Promise.all(jobRuns), Promise.all(inline)]);

    expect(server.refreshCalls - callsBefore).toBe(1);
    const after = (await w.links.get(linkId))!;
    expect(after.credentials.accessToken).not.toBe(before.credentials.accessToken);
    expect(after.credentials.refreshToken).not.toBe(before.credentials.refreshToken);
    const tokens = await Promise.all(sessions.map(async (s: CloudSession) => (await s.credentials()).accessToken));
    expect(new Set(tokens)).toEqual(new Set([after.credentials.accessToken]));
    expect(reports.reduce((sum, r) => sum + r.refreshed, 0) + w.metrics.counts.refreshed).toBeGreaterThanOrEqual(1);
    expect(w.metrics.counts).toMatchObject({ refreshed: 1, transientFailure: 0, needsRelink: 0 });
    expect(after).toMatchObject({
      status: 'active',
      refreshFailures: 0,
      refreshDueAt: after.credentials.expiresAt! - DEFAULT_POLICY.leadS,
    });
    expect(after.leaseOwner).toBeUndefined();

    // The grant survived: the next refresh, an hour on, works too.
    w.clock.advance(3600);
    await expect(w.job.run(invocation('next-hour'))).resolves.toMatchObject({ refreshed: 1, failed: 0, needsRelink: 0 });
    expect(server.refreshCalls - callsBefore).toBe(2);
  });

  it('a lease left by a crashed holder is taken over once it expires, and not before', async () => {
    const { linkId } = await w.linkAccount();
    w.clock.advance(3600);
    await w.links.acquireLease(linkId, { owner: 'crashed', expiresAt: w.clock.now() + 30 }, w.clock.now());
    const calls = server.refreshCalls;

    await expect(w.job.run(invocation('early'))).resolves.toMatchObject({ refreshed: 0, deferred: 1 });
    expect(server.refreshCalls).toBe(calls);
    w.clock.advance(30);
    await expect(w.job.run(invocation('late'))).resolves.toMatchObject({ refreshed: 1, deferred: 0 });
    expect(server.refreshCalls).toBe(calls + 1);
  });
});

describe('a lease write DynamoDB applied and whose answer it lost (the SDK sends it again)', () => {
  let faults: DynamoFaults;
  let proxied: DynamoDBDocumentClient;
  beforeAll(async () => {
    faults = await startDynamoFaults();
    faults.target = table.endpoint;
    proxied = documentClientAt(faults.url);
  });
  afterAll(async () => {
    proxied.destroy();
    await faults.close();
  });
  const leaseWrite = (call: { operation: string; body: string }) => call.operation === 'UpdateItem' && call.body.includes('SET leaseOwner');

  it('an inline refresh meets its own lease and refreshes, rather than waiting on itself and failing the request', async () => {
    w = world(proxied);
    const { auth, linkId } = await w.linkAccount();
    w.clock.advance(3600); // the upstream token has expired
    const calls = server.refreshCalls;
    faults.injected = [];
    faults.rule = firstCalls(leaseWrite, 'lose-answer');

    const session = await w.sessions.open(auth, invocation('lost-answer'));
    expect(faults.injected).toEqual([{ operation: 'UpdateItem', fault: 'lose-answer' }]);
    expect(server.refreshCalls - calls).toBe(1);
    const after = (await w.links.get(linkId))!;
    expect((await session.credentials()).accessToken).toBe(after.credentials.accessToken);
    expect(after).toMatchObject({ status: 'active', refreshFailures: 0 });
    expect(after.leaseOwner).toBeUndefined();
    expect(w.metrics.counts).toMatchObject({ refreshed: 1, transientFailure: 0 });
  });

  it('the refresh job refreshes the link in the same run, rather than deferring it until its own lease expires', async () => {
    w = world(proxied);
    const { linkId } = await w.linkAccount();
    w.clock.advance(3600);
    faults.injected = [];
    faults.rule = firstCalls(leaseWrite, 'lose-answer');

    await expect(w.job.run(invocation('lost-answer-job'))).resolves.toMatchObject({ refreshed: 1, deferred: 0, failed: 0 });
    expect(faults.injected).toEqual([{ operation: 'UpdateItem', fault: 'lose-answer' }]);
    expect((await w.links.get(linkId))!.leaseOwner).toBeUndefined();
  });
});

describe('classified failures: transient faults never unlink anyone', () => {
  it.each([
    ['HTTP 500', { status: 500 }],
    ['HTTP 429', { status: 429 }],
    ['a timeout', 'hang'],
    ['a connection reset', 'reset'],
  ] as const)('%s keeps the link and its refresh token, backs off, and the next try succeeds', async (_case, fault) => {
    const { auth, linkId } = await w.linkAccount();
    const before = (await w.links.get(linkId))!;
    w.clock.advance(3600);
    server.tokenFaults = [fault];

    await expect(w.job.run(invocation('faulty'))).resolves.toMatchObject({ refreshed: 0, failed: 1, needsRelink: 0 });
    const backedOff = (await w.links.get(linkId))!;
    expect(backedOff).toMatchObject({ status: 'active', refreshFailures: 1, credentials: before.credentials });
    // First backoff: base 60 s, half fixed and half jitter (0.5 here), so 45 s on.
    expect(backedOff.refreshDueAt).toBe(w.clock.now() + 45);
    expect(w.metrics.counts).toMatchObject({ refreshed: 0, transientFailure: 1, needsRelink: 0 });

    // Not due again until the backoff has passed...
    await expect(w.job.run(invocation('too-soon'))).resolves.toMatchObject({ refreshed: 0, failed: 0 });
    w.clock.advance(45);
    await expect(w.job.run(invocation('retry'))).resolves.toMatchObject({ refreshed: 1 });
    expect((await w.links.get(linkId))!).toMatchObject({ status: 'active', refreshFailures: 0 });
    await expect(w.sessions.open(auth, invocation('after'))).resolves.toMatchObject({ vendorUserId: '10001' });
  });

  it('a response lost after the server rotated the token is transient: the stored refresh token stays', async () => {
    const { linkId } = await w.linkAccount();
    const before = (await w.links.get(linkId))!;
    w.clock.advance(3600);
    server.tokenFaults = ['lose-response'];

    await expect(w.job.run(invocation('lost'))).resolves.toMatchObject({ failed: 1, needsRelink: 0 });
    expect(server.refreshCalls).toBeGreaterThan(0);
    expect((await w.links.get(linkId))!).toMatchObject({ status: 'active', credentials: before.credentials, refreshFailures: 1 });
    // This server rotates and detects reuse, so the kept token is now spent: the next attempt is
    // told invalid_grant and says relink. A non-rotating upstream simply succeeds on the retry.
    w.clock.advance(3600);
    await expect(w.job.run(invocation('after-lost'))).resolves.toMatchObject({ needsRelink: 1 });
  });

  it('invalid_grant is terminal: needs_relink, out of the due index, counted, and /list says to relink', async () => {
    const { auth, linkId } = await w.linkAccount();
    const stolen = (await w.links.get(linkId))!.credentials.refreshToken!;
    // Someone else spends the refresh token first; the server now refuses it.
    const thief = new OAuthClient({
      issuer: server.issuer,
      clientId: TEST_CLIENT.client_id,
      clientSecret: async () => TEST_CLIENT.client_secret,
      clientAuth: 'client_secret_basic',
      timeoutMs: 1000,
    });
    await thief.refresh(stolen);
    w.clock.advance(3600);

    await expect(w.job.run(invocation('refused'))).resolves.toMatchObject({ refreshed: 0, needsRelink: 1, failed: 0 });
    const dead = (await w.links.get(linkId))!;
    expect(dead.status).toBe('needs_relink');
    expect(dead.refreshDueAt).toBeUndefined();
    expect(w.metrics.counts.needsRelink).toBe(1);
    const due: string[] = [];
    for await (const id of w.links.due(w.clock.now() + 10 * 86400)) due.push(id);
    expect(due).not.toContain(linkId);
    await expect(w.sessions.open(auth, invocation('list'))).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining('link your account again'),
    });
  });

  it('an inline refresh that fails transiently still serves a token that has not expired yet', async () => {
    const { auth, linkId } = await w.linkAccount();
    const before = (await w.links.get(linkId))!;
    w.clock.advance(3600 - 30); // inside the 60 s skew window, 30 s before expiry
    server.tokenFaults = [{ status: 503 }];
    const session = await w.sessions.open(auth, invocation('list'));
    expect(session.vendorUserId).toBe('10001');
    await expect(session.credentials()).resolves.toEqual({ accessToken: before.credentials.accessToken });

    w.clock.advance(60); // now past expiry
    server.tokenFaults = [{ status: 503 }];
    await expect(w.sessions.open(auth, invocation('list'))).rejects.toMatchObject({ errorName: 'E_SERVER_UNREACHABLE' });
  });

  it('logs say what happened to which link and never carry a token', async () => {
    const { linkId } = await w.linkAccount();
    w.clock.advance(3600);
    server.tokenFaults = [{ status: 500 }];
    await w.job.run(invocation('a'));
    w.clock.advance(3600);
    await w.job.run(invocation('b'));
    const link = (await w.links.get(linkId))!;
    const logged = JSON.stringify(w.log.lines);
    expect(logged).toContain(linkId);
    for (const secret of [link.credentials.accessToken, link.credentials.refreshToken!, TEST_CLIENT.client_secret]) {
      expect(logged).not.toContain(secret);
    }
  });
});
