/**
 * OAuth account linking end to end, as Homebase and a person's browser drive it, against the local
 * driver and its embedded authorization server (oidc-provider): real HTTP, real redirects, no browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { DEMO_OAUTH_ACCOUNT } from '../../lib/local/oauth-server.ts';
import { Browser, formAction } from '../support/browser.ts';
import { postJson } from '../support/http.ts';

let driver: LocalDriver;
const savedEnv = { ...process.env };
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, settings: { REFRESH_INTERVAL_S: '3600' } });
});
afterAll(async () => {
  await driver.close();
  process.env = savedEnv;
});

const post = (path: string, body: unknown) => postJson(driver.url, path, body);
const command = (name: string, params: Record<string, unknown>) => post('/command', { command: name, params });

// A Rokid page with a path, a query of its own (one value percent-encoded) and a fragment.
const CALLBACK = 'https://homebase.rokid.com/oauth/done/vendor-7?u=1&v=a%20b#step2';
const atHomebase = (url: URL) => url.origin === 'https://homebase.rokid.com';

/** The OAuth command, then the person signing in (or cancelling) at the vendor's page. */
async function authorize(options: { deny?: boolean } = {}): Promise<string> {
  const { status, data: url } = await command('OAuth', { callbackURL: CALLBACK });
  expect(status).toBe(0);
  const browser = new Browser();
  const login = await browser.visit(url, atHomebase);
  expect(login.body).toContain('Sign in');
  const fields: Record<string, string> = { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password };
  if (options.deny) fields['deny'] = '1';
  const back = await browser.submit(formAction(login), fields, atHomebase);
  return back.url.toString();
}

const codeOf = (landing: string) => new URL(landing).searchParams.get('code') ?? '';

describe('linking over OAuth 2.0', () => {
  let userAuth: { userId: string; userToken: string; refreshToken: string; expiresIn: number };

  it('OAuth answers a URL that embeds the encoded callbackURL', async () => {
    const { data } = await command('OAuth', { callbackURL: CALLBACK });
    expect(typeof data).toBe('string');
    expect(data).toContain(encodeURIComponent(CALLBACK));
    expect(data.startsWith(driver.url)).toBe(true);
  });

  it('the browser lands on callbackURL with its own path, query and fragment intact, plus code', async () => {
    const landing = await authorize();
    expect(landing).toMatch(/^https:\/\/homebase\.rokid\.com\/oauth\/done\/vendor-7\?u=1&v=a%20b&code=hbc\.[\w-]+#step2$/);

    const got = await command('OAuthGetToken', { code: codeOf(landing) });
    expect(got).toEqual({
      status: 0,
      data: {
        userId: DEMO_OAUTH_ACCOUNT.accountId,
        userToken: expect.stringMatching(/^hbu\./),
        refreshToken: expect.stringMatching(/^hbr\./),
        expiresIn: 2592000,
      },
    });
    userAuth = got.data;
    // Once and only once.
    await expect(command('OAuthGetToken', { code: codeOf(landing) })).resolves.toEqual({
      status: 1,
      errorName: 'E_INVALID_AUTHORIZATION',
      message: 'The authorization code is unknown, expired or already used. Link your account again in the Rokid app.',
    });
  });

  it('the tokens list devices', async () => {
    const listed = await post('/list', { userAuth });
    expect(listed.status).toBe(0);
    expect(listed.data.length).toBeGreaterThan(0);
  });

  it('OAuthRefresh rotates them; a retry within the grace window gets the same pair; the old token is refused', async () => {
    const params = { userId: userAuth.userId, userToken: userAuth.userToken, refreshToken: userAuth.refreshToken };
    const first = await command('OAuthRefresh', params);
    expect(first.status).toBe(0);
    expect(first.data.userToken).not.toBe(userAuth.userToken);
    expect(first.data.refreshToken).not.toBe(userAuth.refreshToken);
    const retried = await command('OAuthRefresh', params);
    expect(retried.data).toMatchObject({ userToken: first.data.userToken, refreshToken: first.data.refreshToken });
    // The alias a production driver uses.
    await expect(command('refreshToken', params)).resolves.toMatchObject({ data: { userToken: first.data.userToken } });

    expect((await post('/list', { userAuth: first.data })).status).toBe(0);
    await expect(post('/list', { userAuth })).resolves.toMatchObject({ status: 1, errorName: 'E_DRIVER_SIGN_ERROR' });
  });
});

describe('what goes wrong, and what each case answers', () => {
  it('refuses a callbackURL whose origin is not on the allow-list', async () => {
    await expect(command('OAuth', { callbackURL: 'https://evil.example/steal' })).resolves.toEqual({
      status: 1,
      errorName: 'E_DRIVER_ERROR',
      message: expect.stringMatching(
        /^params\.callbackURL: https:\/\/evil\.example\/[^ ]* is not allowed to receive authorizations\. Allowed: https:\/\/homebase\.rokid\.com, /,
      ),
    });
  });

  it('refuses a callbackURL with a line break or other control character, naming it', async () => {
    for (const callbackURL of [
      'https://homebase.rokid.com/cb\r\nSet-Cookie: x=1',
      'https://homebase.rokid.com/c\tb',
      'https://homebase.rokid.com/cb\u0000',
    ]) {
      await expect(command('OAuth', { callbackURL })).resolves.toEqual({
        status: 1,
        errorName: 'E_DRIVER_ERROR',
        message: 'params.callbackURL: contains a control character (a line break, tab or the like); send the URL percent-encoded.',
      });
    }
  });

  it('sends the browser back to the callbackURL as parsed and checked, not as its raw text', async () => {
    const { data: url } = await command('OAuth', { callbackURL: 'https://homebase.rokid.com/oauth/done?v=a b' });
    const browser = new Browser();
    const login = await browser.visit(url, atHomebase);
    const back = await browser.submit(
      formAction(login),
      { username: DEMO_OAUTH_ACCOUNT.username, password: DEMO_OAUTH_ACCOUNT.password },
      atHomebase,
    );
    expect(back.url.href).toMatch(/^https:\/\/homebase\.rokid\.com\/oauth\/done\?v=a%20b&code=hbc\./);
  });

  it('a tampered, unknown or reused state gets a page a person can read', async () => {
    for (const path of ['/oauth/callback?code=x&state=forged', '/oauth/start?state=forged', '/oauth/callback?code=x']) {
      const response = await fetch(`${driver.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('This sign-in link is no longer valid');
    }
  });

  /** The person signs in at the vendor, and the browser stops just before the driver's callback. */
  async function atCallback() {
    const { data: url } = await command('OAuth', { callbackURL: CALLBACK });
    const browser = new Browser();
    const login = await browser.visit(url, atHomebase);
    let callback = '';
    await browser.submit(formAction(login), { username: 'demo', password: 'homebase' }, (u) => {
      if (u.pathname === '/oauth/callback') callback = u.toString();
      return u.pathname === '/oauth/callback';
    });
    return { browser, callback };
  }

  it('a state used twice: the second callback gets the page, not a second link', async () => {
    const { browser, callback } = await atCallback();
    // With the cookie /oauth/start bound the state to, as the person's browser holds it.
    const first = await browser.visit(callback, atHomebase);
    expect(first.url.origin).toBe('https://homebase.rokid.com');
    const second = await browser.visit(callback, atHomebase);
    expect(second.status).toBe(400);
  });

  it("a state that reaches the callback in another browser (a login CSRF) gets the page, and stays the first browser's", async () => {
    const { browser, callback } = await atCallback();
    const elsewhere = await new Browser().visit(callback, atHomebase);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toContain('This sign-in link is no longer valid');
    await expect(browser.visit(callback, atHomebase)).resolves.toMatchObject({
      url: expect.objectContaining({ origin: 'https://homebase.rokid.com' }),
    });
  });

  it('upstream access_denied goes back to callbackURL with the error', async () => {
    const landing = await authorize({ deny: true });
    const url = new URL(landing);
    expect(landing.startsWith('https://homebase.rokid.com/oauth/done/vendor-7?u=1&v=a%20b&error=access_denied')).toBe(true);
    expect(url.searchParams.get('code')).toBeNull();
  });

  it.each([
    ['a 500', { status: 500 }],
    ['a timeout', 'hang'],
  ] as const)(
    'a token endpoint answering with %s sends the browser back with temporarily_unavailable',
    async (_case, fault) => {
      driver.oauthServer!.tokenFaults = [fault];
      const landing = await authorize();
      const url = new URL(landing);
      expect(url.searchParams.get('error')).toBe('temporarily_unavailable');
      expect(url.searchParams.get('code')).toBeNull();
    },
    15_000,
  );
});

describe("seed 003's callback service", () => {
  it('login gives the authorize URL; after sign-in the token can be fetched by device_id and request_id', async () => {
    const app = 'homebase-driver-local';
    const login = await fetch(`${driver.url}/device_oauth/${app}/login?device_id=dev-1&request_id=req-9`);
    expect(login.status).toBe(200);
    const authorizeUrl = await login.text();
    expect(authorizeUrl.startsWith(driver.oauthIssuer)).toBe(true);
    expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe(`${driver.url}/device_oauth/${app}/callback`);

    const browser = new Browser();
    const page = await browser.visit(authorizeUrl);
    const shown = await browser.submit(formAction(page), { username: 'demo', password: 'homebase' });
    expect(JSON.parse(shown.body)).toMatchObject({ access_token: expect.any(String), device_id: 'dev-1', token_type: 'bearer' });

    const token = await fetch(`${driver.url}/device_oauth/${app}/token?device_id=dev-1&request_id=req-9`);
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ access_token: JSON.parse(shown.body).access_token, device_id: 'dev-1' });
    const other = await fetch(`${driver.url}/device_oauth/${app}/token?device_id=dev-1&request_id=other`);
    expect(other.status).toBe(404);
  });
});
