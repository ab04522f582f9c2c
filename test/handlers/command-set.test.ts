/**
 * Which commands /command offers follows the configuration alone. `OAuth` and `OAuthGetToken` load their flow on
 * their first call (composition/oauth-linking.ts), so linking.ts decides that they exist without it: the list a
 * caller is told must be the flows the driver then runs, and the browser routes of a flow not configured say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';

const PUBLIC = 'https://driver.example';
const command = (name: string, params: Record<string, unknown>) => JSON.stringify({ command: name, params });
type Driver = Awaited<ReturnType<typeof startHandlers>>;

/** What an unknown command is told: the commands this driver offers. */
async function expectSupported(driver: Driver, list: string) {
  await expect(driver.call('command', command('fly', {}))).resolves.toEqual({
    status: 1,
    errorName: 'E_DRIVER_ERROR',
    message: `Unknown command "fly". This driver supports: ${list}.`,
  });
}

describe('with an OAuth upstream and PUBLIC_BASE_URL', () => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await startHandlers({
      // Never called: neither command below reaches the vendor.
      OAUTH_AUTHORIZATION_ENDPOINT: 'http://127.0.0.1:9/authorize',
      OAUTH_TOKEN_ENDPOINT: 'http://127.0.0.1:9/token',
      OAUTH_CLIENT_ID: 'vendor-app',
      OAUTH_CLIENT_SECRET: 's3cret',
      PUBLIC_BASE_URL: PUBLIC,
    });
  });
  afterAll(() => driver.close());

  it('offers OAuth and OAuthGetToken beside login and the refresh commands', async () => {
    await expectSupported(driver, 'login, Login, OAuth, OAuthGetToken, OAuthRefresh, refreshToken');
  });

  it('runs them, their params checked', async () => {
    const begun = await driver.call('command', command('OAuth', { callbackURL: 'https://homebase.rokid.com/cb' }));
    expect(begun).toEqual({ status: 0, data: expect.stringMatching(/^https:\/\/driver\.example\/oauth\/start\?state=[^&]+&callbackURL=/) });
    await expect(driver.call('command', command('OAuth', {}))).resolves.toEqual({
      status: 1,
      errorName: 'E_DRIVER_ERROR',
      message: 'Invalid OAuth command: params.callbackURL is required',
    });
    await expect(driver.call('command', command('OAuthGetToken', { code: 'never-issued' }))).resolves.toEqual({
      status: 1,
      errorName: 'E_INVALID_AUTHORIZATION',
      message: 'The authorization code is unknown, expired or already used. Link your account again in the Rokid app.',
    });
  });
});

describe('with PUBLIC_BASE_URL and no OAuth upstream', () => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await startHandlers({ PUBLIC_BASE_URL: PUBLIC });
  });
  afterAll(() => driver.close());

  it('offers no OAuth command', async () => {
    await expectSupported(driver, 'login, Login, OAuthRefresh, refreshToken');
    await expect(driver.call('command', command('OAuth', { callbackURL: 'https://homebase.rokid.com/cb' }))).resolves.toEqual({
      status: 1,
      errorName: 'E_DRIVER_ERROR',
      message: 'Unknown command "OAuth". This driver supports: login, Login, OAuthRefresh, refreshToken.',
    });
  });

  it.each([
    ['GET /oauth/start', `${PUBLIC}/oauth/start?state=s`],
    ['GET /oauth/callback', `${PUBLIC}/oauth/callback?state=s&code=c`],
    ['GET /device_oauth/{appId}/login', `${PUBLIC}/device_oauth/app/login`],
  ])('%s says this way of linking is not offered', async (routeKey, url) => {
    const page = await driver.browse(routeKey, url);
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('This driver does not offer this way of linking accounts.');
  });

  it('any other GET is not found', async () => {
    const page = await driver.browse('GET /elsewhere', `${PUBLIC}/elsewhere`);
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('There is nothing at this address.');
  });
});
