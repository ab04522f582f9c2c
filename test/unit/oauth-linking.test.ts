/** OAuth linking's rules on a fake clock: expiries, single use, the refresh grace window. No network. */
import { describe, expect, it } from 'vitest';
import { appendQuery } from '../../functions/domain/linking/callback-url.ts';
import { DeviceOAuth } from '../../functions/domain/linking/device-oauth.ts';
import { HomebaseOAuth, type HomebaseOAuthSettings } from '../../functions/domain/linking/homebase-oauth.ts';
import { OAuthCallback } from '../../functions/domain/linking/oauth-callback.ts';
import { PendingStates } from '../../functions/domain/linking/pending-states.ts';
import { UpstreamLinker } from '../../functions/domain/linking/upstream-linker.ts';
import { UpstreamSignIn } from '../../functions/domain/linking/upstream-sign-in.ts';
import type { OAuthUpstream } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { UpstreamError } from '../../functions/domain/upstream-error.ts';
import { TokenVault } from '../../functions/domain/vault/token-vault.ts';
import { testCipher } from '../support/credentials.ts';
import {
  CountingMetrics,
  FakeClock,
  FROM,
  InMemoryAuthorizationStore,
  InMemoryLinkStore,
  RecordingLog,
  testLimits,
} from '../support/in-memory.ts';

const CALLBACK = 'https://homebase.rokid.com/cb?x=1';

function world(options: { exchange?: OAuthUpstream['exchange'] } = {}) {
  const clock = new FakeClock();
  const links = new InMemoryLinkStore();
  const store = new InMemoryAuthorizationStore();
  const vault = new TokenVault({
    links,
    clock,
    settings: { userTokenTtlS: 3600, refreshTokenTtlS: 86_400, refresh: DEFAULT_POLICY, refreshGraceS: 60 },
  });
  const upstream: OAuthUpstream = {
    authorizationUrl: async ({ state, codeChallenge, redirectUri }) =>
      `https://id.example/authorize?state=${state}&code_challenge=${codeChallenge}&redirect_uri=${encodeURIComponent(redirectUri)}`,
    exchange:
      options.exchange ??
      (async () => ({
        grant: { accessToken: 'up-a', refreshToken: 'up-r', expiresIn: 3600, extra: { open_id: 'o-1' } },
        vendorUserId: 'v-1',
      })),
  };
  const states = new PendingStates({ cipher: testCipher(), store, clock });
  const signIn = new UpstreamSignIn({ upstream, states });
  const metrics = new CountingMetrics();
  /** The OAuth command flow, and GET /oauth/callback in front of it, as the command function builds them. */
  const homebase = (settings: HomebaseOAuthSettings, upstreamOverride?: OAuthUpstream) => {
    const flowSignIn = upstreamOverride ? new UpstreamSignIn({ upstream: upstreamOverride, states }) : signIn;
    const linker = new UpstreamLinker({
      signIn: flowSignIn,
      vault,
      log: new RecordingLog(),
      metrics,
      publicBaseUrl: settings.publicBaseUrl,
    });
    const oauth = new HomebaseOAuth({ linker, store, vault, clock, settings });
    const callback = new OAuthCallback({ signIn: flowSignIn, homebase: oauth, server: undefined });
    // The browser's cookie jar: /oauth/start binds the state to it, and the callback wants it back.
    const jar: Record<string, string> = {};
    const startAtDriver = oauth.start.bind(oauth);
    const start = async (query: Record<string, string | undefined>) => {
      const answer = await startAtDriver(query);
      if (answer.kind === 'redirect' && answer.binding) jar[answer.binding.name] = answer.binding.value;
      return answer;
    };
    /** The OAuth command, then the browser at /oauth/start: the state the vendor will send back. */
    const started = async (callbackURL = CALLBACK) => {
      const answer = await start({ state: new URL(await oauth.begin(callbackURL)).searchParams.get('state') ?? '' });
      return new URL((answer as { location: string }).location).searchParams.get('state')!;
    };
    return Object.assign(oauth, {
      start,
      started,
      jar,
      callback: (query: Record<string, string | undefined>, cookies = jar) => callback.handle(query, cookies),
    });
  };
  const linking = homebase({
    publicBaseUrl: 'https://driver.example/',
    allowedCallbacks: { origins: ['https://homebase.rokid.com', 'http://127.0.0.1'], uris: ['https://s.rokidcdn.com/homebase/oauth/done'] },
    mode: 'code',
  });
  const device = new DeviceOAuth({
    signIn,
    store,
    clock,
    appId: 'app-1',
    publicBaseUrl: 'https://driver.example/',
    limits: testLimits(clock),
  });
  return { clock, links, store, vault, linking, device, homebase, metrics };
}

/** The OAuth command and the browser's way to the vendor: the state the driver sent upstream. */
const started = (w: ReturnType<typeof world>, callbackURL = CALLBACK) => w.linking.started(callbackURL);

describe('OAuth linking', () => {
  it('stores every extra field of the token response on the link', async () => {
    const w = world();
    const state = await started(w);
    await w.linking.callback({ state, code: 'c' });
    const [link] = w.links.items.values();
    expect(link).toMatchObject({
      upstream: 'oauth',
      vendorUserId: 'v-1',
      credentials: { accessToken: 'up-a', refreshToken: 'up-r', extra: { open_id: 'o-1' } },
    });
  });

  it('sends PKCE S256 and a state bound to the browser, and builds its callback from the public base URL', async () => {
    const w = world();
    const state = new URL(await w.linking.begin(CALLBACK)).searchParams.get('state')!;
    const answer = await w.linking.start({ state });
    expect(answer).toMatchObject({ kind: 'redirect', binding: { name: expect.stringMatching(/^hb_state_/), maxAgeS: 600 } });
    const location = new URL((answer as { location: string }).location);
    expect(location.searchParams.get('state')).toMatch(/^ps1\./);
    expect(location.searchParams.get('state')).not.toBe(state);
    expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('redirect_uri')).toBe('https://driver.example/oauth/callback');
  });

  it('stores nothing until the person comes back signed in: the state is the pending authorization, sealed', async () => {
    const w = world();
    const state = await started(w);
    expect(w.store.usedStates.size).toBe(0);
    await w.linking.callback({ state, code: 'c' });
    expect(w.store.usedStates.size).toBe(1);
  });

  it('refuses a state without its browser: no cookie, a wrong one, or a state never taken through /oauth/start', async () => {
    const w = world();
    const state = await started(w);
    await expect(w.linking.callback({ state, code: 'c' }, {})).resolves.toMatchObject({ kind: 'page', outcome: 'bad_request' });
    const [name] = Object.keys(w.linking.jar);
    await expect(w.linking.callback({ state, code: 'c' }, { [name!]: 'forged' })).resolves.toMatchObject({ kind: 'page' });
    const unbound = new URL(await w.linking.begin(CALLBACK)).searchParams.get('state')!;
    await expect(w.linking.callback({ state: unbound, code: 'c' })).resolves.toMatchObject({ kind: 'page' });
    // None of these used the state up: with its cookie it still works, once.
    await expect(w.linking.callback({ state, code: 'c' })).resolves.toMatchObject({ kind: 'redirect' });
    await expect(w.linking.callback({ state, code: 'c' })).resolves.toMatchObject({ kind: 'page' });
    // And a state that was altered is no state at all.
    await expect(w.linking.start({ state: `${unbound.slice(0, -2)}AA` })).resolves.toMatchObject({ kind: 'page' });
  });

  it('allows an exact callback address with any query, and nothing else at its origin', async () => {
    const w = world();
    await expect(w.linking.begin('https://s.rokidcdn.com/homebase/oauth/done?from=app&v=2')).resolves.toContain('callbackURL=');
    await expect(w.linking.begin('https://s.rokidcdn.com/homebase/oauth/done/../evil')).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
    });
    await expect(w.linking.begin('https://s.rokidcdn.com/other')).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
      message: expect.stringContaining('params.callbackURL: https://s.rokidcdn.com/other is not allowed to receive authorizations.'),
    });
    await expect(w.linking.begin('http://s.rokidcdn.com/homebase/oauth/done')).rejects.toMatchObject({ errorName: 'E_DRIVER_ERROR' });
    await expect(w.linking.begin('https://s.rokidcdn.com:8443/homebase/oauth/done')).rejects.toMatchObject({ errorName: 'E_DRIVER_ERROR' });
  });

  it('accepts loopback callbacks on any port when the allow-list names loopback without one', async () => {
    const w = world();
    await expect(w.linking.begin('http://127.0.0.1:8123/done')).resolves.toContain('callbackURL=');
    await expect(w.linking.begin('http://127.0.0.1.evil.example/done')).rejects.toMatchObject({ errorName: 'E_DRIVER_ERROR' });
    await expect(w.linking.begin('not a url')).rejects.toMatchObject({ message: 'params.callbackURL: expected an absolute URL.' });
  });

  it('a pending authorization is good for 10 minutes and not a second longer', async () => {
    const w = world();
    const early = await started(w);
    w.clock.advance(599);
    expect((await w.linking.callback({ state: early, code: 'c' })).kind).toBe('redirect');
    const late = await started(w);
    w.clock.advance(600);
    await expect(w.linking.callback({ state: late, code: 'c' })).resolves.toMatchObject({ kind: 'page', outcome: 'bad_request' });
  });

  it('a driver code works once, within 5 minutes', async () => {
    const w = world();
    const codeFrom = async () => {
      const answer = await w.linking.callback({ state: await started(w), code: 'c' });
      return new URL((answer as { location: string }).location).searchParams.get('code')!;
    };
    const expired = await codeFrom();
    w.clock.advance(300);
    const message = 'The authorization code is unknown, expired or already used. Link your account again in the Rokid app.';
    await expect(w.linking.getToken(expired)).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION', message });
    const fresh = await codeFrom();
    await expect(w.linking.getToken(fresh)).resolves.toMatchObject({ userId: 'v-1', expiresIn: 3600 });
    await expect(w.linking.getToken(fresh)).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION', message });
  });

  it.each([
    ['unavailable', 'temporarily_unavailable', 'unavailable', 'The account service did not answer. Try linking again in a few minutes.'],
    ['rejected', 'server_error', 'refused', 'The account service refused the sign-in. Try linking again.'],
    ['invalid_grant', 'server_error', 'refused', 'The account service refused the sign-in. Try linking again.'],
    [
      'malformed',
      'server_error',
      'unreadable',
      "The account service's answer could not be read, so the account was not linked. Try again later; if it keeps failing, tell the vendor.",
    ],
  ] as const)(
    'an exchange that fails as %s sends the browser back with %s, says which kind, and counts it',
    async (failure, error, kind, description) => {
      const w = world({ exchange: async () => Promise.reject(new UpstreamError(failure, 'x', { upstreamCode: '96009' })) });
      const answer = await w.linking.callback({ state: await started(w), code: 'c' });
      const params = new URL((answer as { location: string }).location).searchParams;
      expect(params.get('error')).toBe(error);
      expect(params.get('error_description')).toBe(description);
      expect(w.metrics.failures).toEqual({ [kind]: 1 });
      expect(w.links.items.size).toBe(0);
    },
  );

  it('keeps the redirect_uri the grant was made with on the link, for the refresh grant', async () => {
    const w = world();
    await w.linking.callback({ state: await started(w), code: 'c' });
    const [link] = w.links.items.values();
    expect(link?.upstreamRedirectUri).toBe('https://driver.example/oauth/callback');
  });

  it('seed 002 mode appends the userAuth itself instead of a code', async () => {
    const w = world();
    const linking = w.homebase(
      { publicBaseUrl: 'https://driver.example', allowedCallbacks: { origins: ['https://homebase.rokid.com'], uris: [] }, mode: 'tokens' },
      {
        authorizationUrl: async ({ state }) => `https://id.example/authorize?state=${state}`,
        exchange: async () => ({ grant: { accessToken: 'a', extra: {} }, vendorUserId: 'v-2' }),
      },
    );
    const state = await linking.started(CALLBACK);
    const answer = (await linking.callback({ state, code: 'c' })) as { location: string };
    const params = new URL(answer.location).searchParams;
    expect(params.get('x')).toBe('1');
    expect(params.get('userId')).toBe('v-2');
    expect(params.get('userToken')).toMatch(/^hbu\./);
    expect(params.get('expiresIn')).toBe('3600');
  });

  it("seed 003's token is served for 5 minutes after issue", async () => {
    const w = world();
    const login = await w.device.login('app-1', { device_id: 'd', request_id: 'r' });
    const state = new URL((login as { body: string }).body).searchParams.get('state')!;
    await expect(w.device.callback('app-1', { state, code: 'c' })).resolves.toMatchObject({
      outcome: 'ok',
      body: { access_token: 'up-a', device_id: 'd' },
    });
    w.clock.advance(299);
    await expect(w.device.token('app-1', { device_id: 'd', request_id: 'r' }, FROM.sourceIp)).resolves.toMatchObject({ outcome: 'ok' });
    w.clock.advance(1);
    await expect(w.device.token('app-1', { device_id: 'd', request_id: 'r' }, FROM.sourceIp)).resolves.toMatchObject({
      outcome: 'not_found',
    });
    await expect(w.device.login('other-app', { device_id: 'd', request_id: 'r' })).resolves.toMatchObject({ outcome: 'not_found' });
    await expect(w.device.token('app-1', { device_id: 'd' }, FROM.sourceIp)).resolves.toMatchObject({ outcome: 'bad_request' });
    await expect(w.device.token('app-1', { device_id: 'd'.repeat(5000), request_id: 'r' }, FROM.sourceIp)).resolves.toMatchObject({
      outcome: 'bad_request',
      body: { error: 'invalid_request', error_description: 'device_id and request_id are required, of at most 256 characters each.' },
    });
  });
});

describe("seed 003's token queries", () => {
  it('count misses as failed attempts: past 5 for a device_id, from anywhere, the next waits its turn', async () => {
    const w = world();
    const query = { device_id: 'd-1', request_id: 'guess' };
    for (let i = 0; i < 5; i++)
      await expect(w.device.token('app-1', query, FROM.sourceIp)).resolves.toMatchObject({ outcome: 'not_found' });
    for (const from of [FROM.sourceIp, '198.51.100.1']) {
      await expect(w.device.token('app-1', query, from)).resolves.toMatchObject({
        outcome: 'rate_limited',
        body: { error: 'slow_down', error_description: expect.stringContaining('Too many failed sign-in attempts. Try again after') },
      });
    }
    // Another device_id is untouched, and the wait ends.
    await expect(w.device.token('app-1', { ...query, device_id: 'd-2' }, FROM.sourceIp)).resolves.toMatchObject({ outcome: 'not_found' });
    w.clock.advance(1);
    await expect(w.device.token('app-1', query, '198.51.100.1')).resolves.toMatchObject({ outcome: 'not_found' });
  });
});

describe('OAuthRefresh', () => {
  async function linked(w: ReturnType<typeof world>) {
    const answer = (await w.linking.callback({ state: await started(w), code: 'c' })) as { location: string };
    return w.linking.getToken(new URL(answer.location).searchParams.get('code')!);
  }

  it('gives the same pair to a retry within the grace window; after it, the replay revokes the link', async () => {
    const w = world();
    const auth = await linked(w);
    const first = await w.vault.rotate({ refreshToken: auth.refreshToken });
    w.clock.advance(60);
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).resolves.toMatchObject({
      userToken: first.userToken,
      refreshToken: first.refreshToken,
    });
    w.clock.advance(1);
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message:
        'The sign-in cannot be renewed; link your account again in the Rokid app. (The refreshToken was already used, so it may have been copied: every token of this link is now revoked.)',
    });
    // The whole family ends: the pair the rotation issued no longer works either.
    await expect(w.vault.authenticate({ userToken: first.userToken })).rejects.toMatchObject({ errorName: 'E_INVALID_AUTHORIZATION' });
    await expect(w.vault.rotate({ refreshToken: first.refreshToken })).rejects.toMatchObject({
      message: expect.stringContaining('link your account again'),
    });
  });

  it('concurrent retries of one refresh all get the same pair', async () => {
    const w = world();
    const auth = await linked(w);
    const answers = await Promise.all(Array.from({ length: 5 }, () => w.vault.rotate({ refreshToken: auth.refreshToken })));
    expect(new Set(answers.map((a) => a.refreshToken)).size).toBe(1);
  });

  it('refuses a link that needs a relink, telling the user to link again', async () => {
    const w = world();
    const auth = await linked(w);
    const [link] = w.links.items.values();
    link!.status = 'needs_relink';
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining('link your account again'),
    });
  });

  it('says nothing of a link to whoever cannot show its refresh token: not its state, not its user', async () => {
    const w = world();
    const auth = await linked(w);
    const [link] = w.links.items.values();
    const forged = `${auth.refreshToken.slice(0, -4)}AAAA`;
    const notRecognised = {
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining('(The refreshToken is not recognised.)'),
    };
    await expect(w.vault.rotate({ refreshToken: forged, userId: 'someone-else' })).rejects.toMatchObject(notRecognised);
    link!.status = 'needs_relink';
    await expect(w.vault.rotate({ refreshToken: forged })).rejects.toMatchObject(notRecognised);
    // The holder of the real token is told the truth.
    await expect(w.vault.rotate({ refreshToken: auth.refreshToken })).rejects.toMatchObject({
      message: expect.stringContaining('link your account again'),
    });
  });

  it.each([
    ['a token from elsewhere', 'not-ours', '(The refreshToken was not issued by this driver.)'],
    ['a wrong secret', 'hbr.nolink.secret', '(The refreshToken is not recognised.)'],
  ])('refuses %s', async (_case, refreshToken, reason) => {
    const w = world();
    await expect(w.vault.rotate({ refreshToken })).rejects.toMatchObject({
      errorName: 'E_INVALID_AUTHORIZATION',
      message: expect.stringContaining(reason),
    });
  });
});

describe('appendQuery', () => {
  it.each([
    ['https://h.example/a/b', 'https://h.example/a/b?code=c%2B1'],
    ['https://h.example/a?u=1&v=a%20b', 'https://h.example/a?u=1&v=a%20b&code=c%2B1'],
    ['https://h.example/a?', 'https://h.example/a?code=c%2B1'],
    ['https://h.example/a?u=1#frag', 'https://h.example/a?u=1&code=c%2B1#frag'],
  ])('%s keeps every part', (callback, expected) => {
    expect(appendQuery(callback, { code: 'c+1' })).toBe(expected);
  });
});
