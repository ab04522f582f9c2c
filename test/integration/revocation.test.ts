/**
 * Revocation against real upstreams on loopback and the embedded DynamoDB: RFC 7009 at a strict
 * authorization server (oidc-provider, where revoking a refresh token ends its grant), UserCenter's
 * destroyToken, and the refresh job retiring links whose driver tokens expired.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../functions/adapters/dynamodb/link-store.ts';
import { OAuthClient } from '../../functions/adapters/oauth/oauth-client.ts';
import { UserCenterClient } from '../../functions/adapters/usercenter/usercenter-client.ts';
import { LinkRefresher } from '../../functions/domain/refresh/link-refresher.ts';
import { RefreshJob } from '../../functions/domain/refresh/refresh-job.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { LinkRevoker } from '../../functions/domain/revocation/link-revoker.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import type { OAuthServer } from '../../lib/local/oauth-server.ts';
import { DEMO_ACCOUNT, startUserCenter, type UserCenterServer } from '../../lib/local/usercenter-server.ts';
import { testCipher } from '../support/credentials.ts';
import { testTable } from '../support/dynamodb.ts';
import { CountingMetrics, FakeClock, RecordingLog } from '../support/in-memory.ts';
import { grantFor, startTestOAuthServer, TEST_CLIENT } from '../support/oauth.ts';
import { type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';
import { userCenterSettings } from '../support/usercenter.ts';

let table: Awaited<ReturnType<typeof testTable>>;
let oauthServer: OAuthServer;
let userCenterServer: UserCenterServer;
let scripted: ScriptedServer;
beforeAll(async () => {
  [table, oauthServer, userCenterServer, scripted] = await Promise.all([
    testTable('revocation'),
    startTestOAuthServer(),
    startUserCenter({ accounts: [DEMO_ACCOUNT], sysId: 'sys-1', clientId: 'client-1' }),
    startScriptedServer(() => ({ status: 503, text: 'busy' })),
  ]);
});
afterAll(async () => {
  await Promise.all([oauthServer.close(), userCenterServer.close(), scripted.close()]);
  await table.close();
});

const oauthClient = (overrides: Partial<ConstructorParameters<typeof OAuthClient>[0]> = {}) =>
  new OAuthClient({
    issuer: oauthServer.issuer,
    clientId: TEST_CLIENT.client_id,
    clientSecret: async () => TEST_CLIENT.client_secret,
    clientAuth: 'client_secret_basic',
    timeoutMs: 1000,
    ...overrides,
  });

const userCenterClient = () => new UserCenterClient(userCenterSettings(userCenterServer.url));

function world(oauth: OAuthClient = oauthClient()) {
  const clock = new FakeClock();
  clock.seconds = Math.floor(Date.now() / 1000);
  const links = new DynamoLinkStore(table.db, table.tableName, testCipher());
  const metrics = new CountingMetrics();
  const log = new RecordingLog();
  const userCenter = userCenterClient();
  const upstreams = { oauth, usercenter: userCenter };
  const vault = new TokenVault({
    links,
    clock,
    settings: { userTokenTtlS: 86_400, refreshTokenTtlS: 30 * 86_400, refresh: DEFAULT_POLICY },
  });
  const revoker = new LinkRevoker({ links, upstreams, clock, policy: DEFAULT_POLICY, metrics, log });
  const refresher = new LinkRefresher({ links, upstreams, clock, policy: DEFAULT_POLICY, metrics, log });
  const job = new RefreshJob({ links, refresher, revoker, clock, log, settings: { concurrency: 4, reserveMs: 0 } });
  return { clock, links, metrics, log, vault, revoker, job, userCenter, oauth };
}

describe('revoking at the upstream', () => {
  it('ends an OAuth grant with RFC 7009: its refresh token no longer works upstream, and the link is gone', async () => {
    const w = world();
    const { sub, grant } = await grantFor(oauthServer);
    const auth = await w.vault.link(sub, 'oauth', grant);
    const linkId = linkIdOf('hbu', auth.userToken)!;

    await expect(w.revoker.revokeVendorUser(sub, 'operator')).resolves.toEqual([{ kind: 'revoked', linkId, upstream: 'revoked' }]);

    await expect(w.oauth.refresh(grant.refreshToken!)).rejects.toMatchObject({ failure: 'invalid_grant' });
    await expect(w.links.get(linkId)).resolves.toBeUndefined();
    await expect(w.vault.authenticate(auth)).rejects.toMatchObject({ errorName: 'E_DRIVER_SIGN_ERROR' });
  });

  it("ends a UserCenter token with destroyToken, and takes UserCenter's refusal of an unknown token as done", async () => {
    const w = world();
    const grant = await w.userCenter.tokenByPassword(DEMO_ACCOUNT.username, DEMO_ACCOUNT.password);
    const auth = await w.vault.link(DEMO_ACCOUNT.userId, 'usercenter', grant);
    const linkId = linkIdOf('hbu', auth.userToken)!;

    await expect(w.revoker.revokeLink(linkId, 'operator')).resolves.toEqual({ kind: 'revoked', linkId, upstream: 'revoked' });
    await expect(w.userCenter.checkToken(grant.accessToken)).resolves.toMatchObject({ valid: false });
    await expect(w.userCenter.revoke({ accessToken: grant.accessToken, extra: {} })).resolves.toBe('revoked');
  });

  it('says the server offers no revocation when neither discovery nor the settings name an endpoint', async () => {
    const w = world(oauthClient({ issuer: undefined, tokenEndpoint: `${scripted.url}/token` }));
    const auth = await w.vault.link('someone', 'oauth', { accessToken: 'a', refreshToken: 'r', expiresIn: 3600, extra: {} });
    const linkId = linkIdOf('hbu', auth.userToken)!;
    const before = scripted.requests.length;
    await expect(w.revoker.revokeLink(linkId, 'operator')).resolves.toEqual({ kind: 'revoked', linkId, upstream: 'not_offered' });
    expect(scripted.requests).toHaveLength(before);
  });

  it('keeps a revoked link for the job when the revocation endpoint is down, and names the outage', async () => {
    const w = world(
      oauthClient({ issuer: undefined, tokenEndpoint: `${scripted.url}/token`, revocationEndpoint: `${scripted.url}/revoke` }),
    );
    const auth = await w.vault.link('someone', 'oauth', { accessToken: 'a', refreshToken: 'r-secret', expiresIn: 3600, extra: {} });
    const linkId = linkIdOf('hbu', auth.userToken)!;

    await expect(w.revoker.revokeLink(linkId, 'operator')).resolves.toMatchObject({ kind: 'upstream_failed', linkId });

    const request = scripted.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/revoke' });
    expect(new URLSearchParams(request.body).get('token_type_hint')).toBe('refresh_token');
    expect(request.headers.authorization).toMatch(/^Basic /);
    await expect(w.links.get(linkId)).resolves.toMatchObject({ status: 'revoked', refreshFailures: 1 });
    // The driver token is refused at once, with the relink message.
    await expect(w.vault.authenticate(auth)).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION' });
    expect(w.metrics.failures).toEqual({ unavailable: 1 });
    expect(JSON.stringify(w.log.lines)).not.toContain('r-secret');
  });
});

describe('the refresh job on DynamoDB', () => {
  it('retires an OAuth link the second its last driver token expires: grant revoked upstream, item deleted', async () => {
    const w = world();
    const { sub, grant } = await grantFor(oauthServer);
    const auth = await w.vault.link(sub, 'oauth', grant);
    const linkId = linkIdOf('hbu', auth.userToken)!;
    const link = (await w.links.get(linkId))!;

    // Not a retirement the second before (the refresh that falls due on the way is a refresh).
    w.clock.seconds = link.refreshTokenExpiresAt - 1;
    await expect(w.job.run({ requestId: 'a', remainingMs: () => 60_000 })).resolves.toMatchObject({ retired: 0 });
    const refreshed = (await w.links.get(linkId))!;

    w.clock.seconds = link.refreshTokenExpiresAt;
    await expect(w.job.run({ requestId: 'b', remainingMs: () => 60_000 })).resolves.toMatchObject({ retired: 1, refreshed: 0 });
    await expect(w.links.get(linkId)).resolves.toBeUndefined();
    await expect(w.oauth.refresh(refreshed.credentials.refreshToken!)).rejects.toMatchObject({ failure: 'invalid_grant' });
    expect(w.metrics.counts.linkRevoked).toBe(1);
  });
});
