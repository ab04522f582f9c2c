import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserCenterClient } from '../../functions/adapters/usercenter/usercenter-client.ts';
import { PasswordLogin } from '../../functions/domain/linking/password-login.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { DEMO_ACCOUNT, startUserCenter, type UserCenterServer } from '../../lib/local/usercenter-server.ts';
import { FakeClock, FROM, InMemoryLinkStore, testLimits } from '../support/in-memory.ts';
import { closedPortUrl, type Script, type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';
import { userCenterSettings } from '../support/usercenter.ts';

const settings = userCenterSettings;

describe('UserCenter client against the UserCenter server', () => {
  let server: UserCenterServer;
  let client: UserCenterClient;

  beforeAll(async () => {
    server = await startUserCenter({ accounts: [DEMO_ACCOUNT], sysId: 'sys-1', clientId: 'client-1', tokenTtlS: 86400 });
    client = new UserCenterClient(settings(server.url));
  });
  afterAll(() => server.close());

  it('gets a token by password, with expires_in decoded to a number', async () => {
    const grant = await client.tokenByPassword('demo', 'homebase');
    expect(grant.accessToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(grant.refreshToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(grant.expiresIn).toBe(86400);
  });

  it('gets a token by validate code', async () => {
    await expect(client.tokenByValidateCode('demo', DEMO_ACCOUNT.validateCode!)).resolves.toMatchObject({ expiresIn: 86400 });
  });

  it('sends sha256 digests when configured so, and the server checks them', async () => {
    const sha256Server = await startUserCenter({ accounts: [DEMO_ACCOUNT], shaAlgorithm: 'sha256' });
    try {
      await expect(
        new UserCenterClient(settings(sha256Server.url, { shaAlgorithm: 'sha256' })).tokenByPassword('demo', 'homebase'),
      ).resolves.toBeDefined();
      await expect(new UserCenterClient(settings(sha256Server.url)).tokenByPassword('demo', 'homebase')).rejects.toMatchObject({
        failure: 'invalid_credentials',
      });
    } finally {
      await sha256Server.close();
    }
  });

  it('checks tokens, resolves the user, issues temp tokens, refreshes and destroys', async () => {
    const grant = await client.tokenByPassword('demo', 'homebase');
    await expect(client.checkToken(grant.accessToken)).resolves.toMatchObject({ valid: true });
    await expect(client.userIdOf(grant.accessToken)).resolves.toBe(DEMO_ACCOUNT.userId);
    await expect(client.tempToken(grant.accessToken)).resolves.toMatch(/^temp-/);

    const refreshed = await client.refresh(grant.refreshToken!);
    expect(refreshed.accessToken).not.toBe(grant.accessToken);
    await expect(client.checkToken(grant.accessToken)).resolves.toMatchObject({ valid: false });
    // Refused with 'refresh_token无效': the token is dead, not the service busy.
    await expect(client.refresh(grant.refreshToken!)).rejects.toMatchObject({ failure: 'invalid_grant' });

    await client.destroyToken(refreshed.accessToken);
    await expect(client.checkToken(refreshed.accessToken)).resolves.toMatchObject({ valid: false });
    await expect(client.userIdOf(refreshed.accessToken)).rejects.toMatchObject({ failure: 'rejected' });
  });

  it('classifies a wrong password and an unknown client', async () => {
    await expect(client.tokenByPassword('demo', 'wrong')).rejects.toMatchObject({ failure: 'invalid_credentials' });
    await expect(client.tokenByValidateCode('demo', '000000')).rejects.toMatchObject({ failure: 'invalid_credentials' });
    const stranger = new UserCenterClient(settings(server.url, { credentials: async () => ({ sysId: 'sys-1', clientId: 'other' }) }));
    await expect(stranger.tokenByPassword('demo', 'homebase')).rejects.toMatchObject({ failure: 'rejected' });
  });
});

describe('login failure modes, each with its exact errorName', () => {
  let scripted: ScriptedServer;
  const ok = { status: 1, result: JSON.stringify({ accessToken: 'a', refreshToken: 'r', expires_in: '60' }) };

  beforeAll(async () => {
    scripted = await startScriptedServer(() => ({ json: ok }));
  });
  afterEach(() => {
    scripted.script = () => ({ json: ok });
  });
  afterAll(() => scripted.close());

  const login = (baseUrl: string, timeoutMs = 300) =>
    new PasswordLogin({
      upstream: new UserCenterClient(settings(baseUrl, { timeoutMs })),
      vault: new TokenVault({
        links: new InMemoryLinkStore(),
        clock: new FakeClock(),
        settings: { userTokenTtlS: 60, refreshTokenTtlS: 120, refresh: DEFAULT_POLICY },
      }),
      limits: testLimits(),
    }).login({ username: 'demo', password: 'homebase' }, FROM);

  it("sends the seed's fields, with md5 and sha1 hex digests", async () => {
    scripted.script = (req) =>
      req.path === '/oauth/token' ? { json: ok } : { json: { status: 1, user: JSON.stringify({ userId: 'u-9' }) } };
    await expect(login(scripted.url)).resolves.toMatchObject({ userId: 'u-9' });
    expect(JSON.parse(scripted.requests.at(-2)!.body)).toEqual({
      sysid: 'sys-1',
      username: 'demo',
      client_id: 'client-1',
      md5password: '5cf069bf9ba049a53f95426b7f650088', // md5('homebase')
      shapassword: '77683e436b5fbe52a617c6449db6d34826839a07', // sha1('homebase')
    });
    expect(JSON.parse(scripted.requests.at(-1)!.body)).toEqual({ accessToken: 'a' });
  });

  it.each([
    ['a wrong password', 'E_DRIVER_WRONG_USERNAME_PASSWORD', () => ({ json: { status: 0, result: '用户名或密码错误' } })],
    ['status 0 for another reason', 'E_DRIVER_LOGIN_FAILED', () => ({ json: { status: 0, result: '系统繁忙' } })],
    ['a result that is not JSON', 'E_DRIVER_LOGIN_FAILED', () => ({ json: { status: 1, result: '{not json' } })],
    ['a result without accessToken', 'E_DRIVER_LOGIN_FAILED', () => ({ json: { status: 1, result: '{"refreshToken":"r"}' } })],
    [
      'an expires_in that is not a number',
      'E_DRIVER_LOGIN_FAILED',
      () => ({ json: { status: 1, result: '{"accessToken":"a","expires_in":"soon"}' } }),
    ],
    ['a body without status', 'E_DRIVER_LOGIN_FAILED', () => ({ json: { result: 'x' } })],
    ['a body that is not JSON', 'E_DRIVER_LOGIN_FAILED', () => ({ text: '<html>' })],
    ['HTTP 403', 'E_DRIVER_LOGIN_FAILED', () => ({ status: 403, json: {} })],
    ['HTTP 503', 'E_SERVER_UNREACHABLE', () => ({ status: 503, json: {} })],
    ['no answer in time', 'E_SERVER_UNREACHABLE', () => 'hang'],
    ['a connection reset', 'E_SERVER_UNREACHABLE', () => 'reset'],
  ] satisfies Array<[string, string, Script]>)('%s gives %s', async (_case, errorName, script) => {
    scripted.script = script;
    await expect(login(scripted.url)).rejects.toMatchObject({ errorName });
  });

  it('falls back to the user\'s "id" when the configured field is absent', async () => {
    scripted.script = (req) => (req.path === '/oauth/token' ? { json: ok } : { json: { status: 1, user: '{"id":77,"name":"x"}' } });
    await expect(login(scripted.url)).resolves.toMatchObject({ userId: '77' });
  });

  it('a user lookup without the id field gives E_DRIVER_LOGIN_FAILED', async () => {
    scripted.script = (req) => (req.path === '/oauth/token' ? { json: ok } : { json: { status: 1, user: '{"name":"x"}' } });
    await expect(login(scripted.url)).rejects.toMatchObject({
      errorName: 'E_DRIVER_LOGIN_FAILED',
      message: expect.stringContaining('no "userId"'),
    });
  });

  it('an unreachable UserCenter gives E_SERVER_UNREACHABLE', async () => {
    await expect(login(await closedPortUrl())).rejects.toMatchObject({
      errorName: 'E_SERVER_UNREACHABLE',
      message: expect.stringContaining('connection failed'),
    });
  });

  it('a timeout says how long it waited', async () => {
    scripted.script = () => 'hang';
    await expect(login(scripted.url, 200)).rejects.toMatchObject({ message: expect.stringContaining('no answer within 200 ms') });
  });
});

describe('UserCenter refresh: what each answer means for the link', () => {
  let scripted: ScriptedServer;
  beforeAll(async () => {
    scripted = await startScriptedServer(() => ({ json: {} }));
  });
  afterAll(() => scripted.close());

  it.each([
    ['a refusal naming the token', 'invalid_grant', () => ({ json: { status: 0, result: 'refresh_token无效' } })],
    ['a refusal for another reason', 'rejected', () => ({ json: { status: 0, result: '系统繁忙' } })],
    ['HTTP 500', 'unavailable', () => ({ status: 500, json: {} })],
    ['HTTP 429', 'unavailable', () => ({ status: 429, json: {} })],
    ['no answer in time', 'unavailable', () => 'hang'],
    ['a reset after the request was sent', 'unavailable', () => 'reset'],
    ['an unreadable answer', 'malformed', () => ({ text: '<html>' })],
  ] satisfies Array<[string, string, Script]>)('%s is %s', async (_case, failure, script) => {
    scripted.script = script;
    const client = new UserCenterClient(settings(scripted.url, { timeoutMs: 200 }));
    await expect(client.refresh('r-1')).rejects.toMatchObject({ name: 'UpstreamError', failure });
  });

  it('keeps a refresh answer without refreshToken as it came, leaving the keeping to the refresher', async () => {
    scripted.script = () => ({ json: { status: 1, result: JSON.stringify({ accessToken: 'a2', expires_in: '600', open_id: 'o' }) } });
    const client = new UserCenterClient(settings(scripted.url));
    await expect(client.refresh('r-1')).resolves.toEqual({ accessToken: 'a2', expiresIn: 600, extra: { open_id: 'o' } });
  });
});
