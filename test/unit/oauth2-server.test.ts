/** The OAuth 2.0 server's rules on in-memory ports and a fake clock: expiries, limits, client authentication. No network. */

import { describe, expect, it } from 'vitest';
import { PasswordLogin } from '../../functions/domain/linking/password-login.ts';
import { PendingStates } from '../../functions/domain/linking/pending-states.ts';
import { UpstreamLinker } from '../../functions/domain/linking/upstream-linker.ts';
import { UpstreamSignIn } from '../../functions/domain/linking/upstream-sign-in.ts';
import type { AuthorizeAnswer } from '../../functions/domain/oauth2-server/authorization-endpoint.ts';
import { AuthorizationEndpoint, type SignInForm } from '../../functions/domain/oauth2-server/authorization-endpoint.ts';
import { readAuthorizationRequest } from '../../functions/domain/oauth2-server/authorization-request.ts';
import { authenticateClient, type RegisteredClient } from '../../functions/domain/oauth2-server/registered-client.ts';
import { TokenEndpoint } from '../../functions/domain/oauth2-server/token-endpoint.ts';
import type { OAuthUpstream, PasswordUpstream } from '../../functions/domain/ports.ts';
import { DEFAULT_POLICY } from '../../functions/domain/refresh/schedule.ts';
import { LinkRevoker } from '../../functions/domain/revocation/link-revoker.ts';
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

const REDIRECT = 'https://homebase.rokid.com/oauth/callback';
const client = (overrides: Partial<RegisteredClient> = {}): RegisteredClient => ({
  clientId: 'homebase-rokid',
  secret: async () => 's3cret',
  redirectUris: [REDIRECT],
  scopes: undefined,
  ...overrides,
});
const basicOf = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('client authentication (RFC 6749 §2.3.1)', () => {
  const authenticate = (authorization: string | undefined, params: Record<string, string> = {}) =>
    authenticateClient(client(), { authorization, params });

  it('percent-decodes Basic credentials, form-style', async () => {
    await expect(authenticate(basicOf('homebase%2Drokid:s3cret'))).resolves.toBeUndefined();
    await expect(authenticate(basicOf('homebase-rokid:s3cre%74'))).resolves.toBeUndefined();
    await expect(authenticate(basicOf('homebase+rokid:s3cret'))).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('takes client_id in the body beside Basic when they agree, and the body alone', async () => {
    await expect(authenticate(basicOf('homebase-rokid:s3cret'), { client_id: 'homebase-rokid' })).resolves.toBeUndefined();
    await expect(authenticate(undefined, { client_id: 'homebase-rokid', client_secret: 's3cret' })).resolves.toBeUndefined();
  });

  it.each([
    ['nothing at all', undefined, {}, 'invalid_client', false],
    ['an id without a secret', undefined, { client_id: 'homebase-rokid' }, 'invalid_client', false],
    ['a Bearer header', 'Bearer abc', {}, 'invalid_client', true],
    ['Basic without a colon', basicOf('homebase-rokid'), {}, 'invalid_client', true],
    ['Basic with broken percent-encoding', basicOf('homebase%G1:s3cret'), {}, 'invalid_client', true],
    ['Basic and a body secret', basicOf('homebase-rokid:s3cret'), { client_secret: 's3cret' }, 'invalid_request', false],
    ['a body client_id unlike the Basic one', basicOf('homebase-rokid:s3cret'), { client_id: 'x' }, 'invalid_client', true],
    ['the right id with a wrong secret', basicOf('homebase-rokid:nope'), {}, 'invalid_client', true],
  ] as const)('refuses %s', async (_case, header, params, error, basicChallenge) => {
    await expect(authenticate(header, params)).rejects.toMatchObject({ error, basicChallenge });
  });
});

describe('reading an authorization request', () => {
  const read = (values: Record<string, string>, overrides: Partial<RegisteredClient> = {}) =>
    readAuthorizationRequest({ values, repeated: [] }, client(overrides));
  const base = { client_id: 'homebase-rokid', redirect_uri: REDIRECT, response_type: 'code', state: 'st' };

  it('lets a client with one registered redirect_uri leave it out, and then does not require it at the token endpoint', () => {
    const { redirect_uri: _r, ...rest } = base;
    expect(read(rest)).toEqual({
      kind: 'ok',
      request: { clientId: 'homebase-rokid', redirectUri: REDIRECT, redirectUriSent: false, state: 'st' },
    });
    expect(read(rest, { redirectUris: [REDIRECT, 'https://other.example/cb'] })).toMatchObject({
      kind: 'refused',
      answer: { kind: 'page' },
    });
  });

  it('takes any scope unless the allowed ones are listed, then refuses others with invalid_scope', () => {
    expect(read({ ...base, scope: 'anything at all' })).toMatchObject({ kind: 'ok', request: { scope: 'anything at all' } });
    expect(read({ ...base, scope: 'devices' }, { scopes: ['devices', 'profile'] })).toMatchObject({ kind: 'ok' });
    const refused = read({ ...base, scope: 'devices admin' }, { scopes: ['devices'] });
    expect(refused).toMatchObject({ kind: 'refused', answer: { kind: 'redirect' } });
    const location = new URL((refused as { answer: { location: string } }).answer.location);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'invalid_scope',
      error_description: 'Unknown scope: admin. Allowed: devices.',
      state: 'st',
    });
  });

  it('refuses a method without a challenge', () => {
    expect(read({ ...base, code_challenge_method: 'S256' })).toMatchObject({ kind: 'refused', answer: { kind: 'redirect' } });
  });
});

function world(options: { password?: Partial<PasswordUpstream>; upstream?: Partial<OAuthUpstream> } = {}) {
  const clock = new FakeClock();
  const links = new InMemoryLinkStore();
  const store = new InMemoryAuthorizationStore();
  const log = new RecordingLog();
  const metrics = new CountingMetrics();
  const vault = new TokenVault({ links, clock, settings: { userTokenTtlS: 3600, refreshTokenTtlS: 86_400, refresh: DEFAULT_POLICY } });
  const passwords: PasswordUpstream = {
    tokenByPassword: async (_u, password) => {
      if (password !== 'right') throw new UpstreamError('invalid_credentials', 'wrong password');
      return { accessToken: 'up-a', refreshToken: 'up-r', expiresIn: 3600, extra: {} };
    },
    tokenByValidateCode: async () => ({ accessToken: 'up-a', extra: {} }),
    userIdOf: async () => 'v-1',
    ...options.password,
  };
  const login = new PasswordLogin({ upstream: passwords, vault, limits: testLimits(clock) });
  const revoker = new LinkRevoker({ links, upstreams: {}, clock, policy: DEFAULT_POLICY, metrics, log });
  const states = new PendingStates({ cipher: testCipher(), store, clock });
  const authorize = new AuthorizationEndpoint({ client: client(), store, states, clock, upstream: { kind: 'password', login } });
  const token = new TokenEndpoint({ client: client(), store, links, vault, revoker, clock });
  const oauthUpstream: OAuthUpstream = {
    authorizationUrl: async ({ state }) => `https://id.example/authorize?state=${state}`,
    exchange: async () => ({ grant: { accessToken: 'a', refreshToken: 'r', expiresIn: 60, extra: {} }, vendorUserId: 'v-2' }),
    ...options.upstream,
  };
  const signIn = new UpstreamSignIn({ upstream: oauthUpstream, states });
  const linker = new UpstreamLinker({ signIn, vault, log, metrics, publicBaseUrl: 'https://driver.example' });
  const viaVendor = new AuthorizationEndpoint({ client: client(), store, states, clock, upstream: { kind: 'oauth', linker } });
  return { clock, links, store, authorize, token, viaVendor, signIn };
}

const request = { values: { client_id: 'homebase-rokid', redirect_uri: REDIRECT, response_type: 'code', state: 'st' }, repeated: [] };
const tokenRequest = (values: Record<string, string>) => ({ values, repeated: [], authorization: basicOf('homebase-rokid:s3cret') });

async function formOf(w: ReturnType<typeof world>): Promise<SignInForm> {
  const answer = await w.authorize.authorize(request);
  if (answer.kind !== 'sign_in') throw new Error(`expected the sign-in form, got ${answer.kind}`);
  return answer.form;
}
const submit = (w: ReturnType<typeof world>, form: SignInForm, fields: Record<string, string>) =>
  w.authorize.signIn({ request: form.request, csrf: form.csrf, csrfCookie: form.csrf, ...FROM, ...fields });
/** The code in a signed-in answer's redirect. */
const codeOf = (answer: AuthorizeAnswer) =>
  new URL(answer.kind === 'signed_in' && answer.answer.kind === 'redirect' ? answer.answer.location : 'x:').searchParams.get('code') ?? '';

describe('the sign-in form and its code', () => {
  it('shows the form again for missing fields and wrong passwords, and says when to retry once the limit is reached', async () => {
    const w = world();
    const form = await formOf(w);
    await expect(submit(w, form, { username: ' ', password: 'x' })).resolves.toMatchObject({
      kind: 'sign_in',
      form: { problem: { kind: 'missing' } },
    });
    for (let i = 0; i < 5; i++) {
      await expect(submit(w, form, { username: 'demo', password: 'wrong' })).resolves.toMatchObject({
        form: { problem: { kind: 'wrong' } },
      });
    }
    await expect(submit(w, form, { username: 'demo', password: 'right' })).resolves.toMatchObject({
      kind: 'sign_in',
      form: { username: 'demo', problem: { kind: 'rate_limited', retryAt: w.clock.now() + 1 } },
    });
  });

  it('signed in, it answers the redirect with a device cookie for this browser', async () => {
    const w = world();
    await expect(submit(w, await formOf(w), { username: 'demo', password: 'right' })).resolves.toMatchObject({
      kind: 'signed_in',
      answer: { kind: 'redirect', location: expect.stringMatching(/code=hbc\./) },
      deviceCookie: expect.stringMatching(/^d1\./),
    });
  });

  it('sends an account-service outage back as temporarily_unavailable, and any other refusal as server_error', async () => {
    for (const [failure, error] of [
      ['unavailable', 'temporarily_unavailable'],
      ['malformed', 'server_error'],
    ] as const) {
      const w = world({
        password: {
          tokenByPassword: async () => {
            throw new UpstreamError(failure, 'no');
          },
        },
      });
      const answer = await submit(w, await formOf(w), { username: 'demo', password: 'right' });
      expect(Object.fromEntries(new URL((answer as { location: string }).location).searchParams)).toMatchObject({ error, state: 'st' });
    }
  });

  it('issues a code that lasts 60 seconds, up to but not including the 60th', async () => {
    const w = world();
    const first = codeOf(await submit(w, await formOf(w), { username: 'demo', password: 'right' }));
    w.clock.advance(59);
    await expect(
      w.token.token(tokenRequest({ grant_type: 'authorization_code', code: first, redirect_uri: REDIRECT })),
    ).resolves.toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const second = codeOf(await submit(w, await formOf(w), { username: 'demo', password: 'right' }));
    w.clock.advance(60);
    await expect(
      w.token.token(tokenRequest({ grant_type: 'authorization_code', code: second, redirect_uri: REDIRECT })),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
      message: 'The code is unknown or has expired. Start the authorization again.',
    });
  });

  it('uses a sign-in once: a second post of the same form finds it expired', async () => {
    const w = world();
    const form = await formOf(w);
    await expect(submit(w, form, { username: 'demo', password: 'right' })).resolves.toMatchObject({ kind: 'signed_in' });
    await expect(submit(w, form, { username: 'demo', password: 'right' })).resolves.toMatchObject({
      kind: 'page',
      title: 'This sign-in has expired',
    });
  });
});

describe('through the vendor login', () => {
  const back = async (w: ReturnType<typeof world>, query: Record<string, string>) => {
    const answer = await w.viaVendor.authorize(request);
    const state = new URL((answer as { location: string }).location).searchParams.get('state') ?? '';
    const { binding } = answer as { binding: { name: string; value: string } };
    const pending = await w.signIn.consume(state, { [binding.name]: binding.value }, { bound: true });
    return w.viaVendor.completeUpstream({ state, ...query }, pending!);
  };
  const params = (answer: unknown) => Object.fromEntries(new URL((answer as { location: string }).location).searchParams);

  it('passes a person who declined at the vendor on as access_denied, and an outage as temporarily_unavailable', async () => {
    expect(params(await back(world(), { error: 'access_denied' }))).toMatchObject({ error: 'access_denied', state: 'st' });
    const down = world({
      upstream: {
        exchange: async () => {
          throw new UpstreamError('unavailable', 'HTTP 503');
        },
      },
    });
    expect(params(await back(down, { code: 'c' }))).toMatchObject({ error: 'temporarily_unavailable', state: 'st' });
    expect(params(await back(world(), { error: 'invalid_request', error_description: 'bad' }))).toEqual({
      error: 'server_error',
      error_description: 'bad',
      state: 'st',
    });
  });

  it('links and issues a code when the vendor signs the person in', async () => {
    const w = world();
    const code = params(await back(w, { code: 'c' }))['code'] ?? '';
    await expect(w.token.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }))).resolves.toMatchObject({
      access_token: expect.stringMatching(/^hbu\./),
    });
  });
});

describe('refresh-token families at the token endpoint', () => {
  const REPLAYED =
    'The sign-in cannot be renewed; link your account again in the Rokid app. (The refreshToken was already used, so it may have been copied: every token of this link is now revoked.)';
  const RELINK = 'The link to your account can no longer be used. Remove the device brand in the Rokid app and link your account again.';

  async function tokensOf(w: ReturnType<typeof world>) {
    const code = codeOf(await submit(w, await formOf(w), { username: 'demo', password: 'right' }));
    return w.token.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }));
  }
  const refresh = (w: ReturnType<typeof world>, refreshToken: string) =>
    w.token.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }));

  it('answers a refresh token two rotations old with invalid_grant and ends the family, its newest tokens included', async () => {
    const w = world();
    const first = await tokensOf(w);
    w.clock.advance(600);
    const second = await refresh(w, first.refresh_token);
    w.clock.advance(600);
    const third = await refresh(w, second.refresh_token);
    w.clock.advance(600);
    await expect(refresh(w, first.refresh_token)).rejects.toMatchObject({ name: 'OAuth2Error', error: 'invalid_grant', message: REPLAYED });
    await expect(refresh(w, third.refresh_token)).rejects.toMatchObject({ error: 'invalid_grant', message: RELINK });
  });

  it('re-answers the replaced token within the grace with the same tokens, until the new refresh token is used; then invalid_grant', async () => {
    const w = world();
    const first = await tokensOf(w);
    const second = await refresh(w, first.refresh_token);
    w.clock.advance(5);
    await expect(refresh(w, first.refresh_token)).resolves.toEqual({ ...second, expires_in: 3600 - 5 });
    const third = await refresh(w, second.refresh_token);
    w.clock.advance(5);
    await expect(refresh(w, first.refresh_token)).rejects.toMatchObject({ error: 'invalid_grant', message: REPLAYED });
    await expect(refresh(w, third.refresh_token)).rejects.toMatchObject({ error: 'invalid_grant', message: RELINK });
  });

  it('revokes the link (RFC 7009) for any refresh token of its family, however long ago it was spent', async () => {
    const w = world();
    const first = await tokensOf(w);
    const second = await refresh(w, first.refresh_token);
    w.clock.advance(600);
    const third = await refresh(w, second.refresh_token);
    await w.token.revoke(tokenRequest({ token: first.refresh_token }));
    await expect(refresh(w, third.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
      message: 'The sign-in cannot be renewed; link your account again in the Rokid app. (The refreshToken is not recognised.)',
    });
    expect(w.links.items.size).toBe(0);
  });
});
