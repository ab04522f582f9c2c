/**
 * The OAuth 2.0 server's sign-in page in a real browser (chromium), on a phone-sized screen as the
 * Rokid app's web view shows it: the form, a wrong password, a cancel, and the way back to Homebase
 * with a code. Screenshots land in test-results/screenshots for a person to look at.
 */

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { DEMO_ACCOUNT } from '../../lib/local/usercenter-server.ts';
import { hasChromium, launchChromium, screenshotPath } from '../support/chromium.ts';
import { StrictOAuthClient } from '../support/strict-oauth-client.ts';

const REDIRECT = 'https://homebase.rokid.com/oauth/callback';
const REGISTRATION = { clientId: 'homebase-rokid', clientSecret: 'page-test-secret', redirectUri: REDIRECT };

let driver: LocalDriver;
let browser: Browser;
beforeAll(async () => {
  if (!hasChromium) return;
  [driver, browser] = await Promise.all([
    startLocalDriver({
      port: 0,
      settings: {
        HOMEBASE_CLIENT_ID: REGISTRATION.clientId,
        HOMEBASE_CLIENT_SECRET: REGISTRATION.clientSecret,
        HOMEBASE_REDIRECT_URIS: REDIRECT,
        HOMEBASE_SIGN_IN: 'usercenter',
        REFRESH_INTERVAL_S: '3600',
      },
    }),
    launchChromium(),
  ]);
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await driver?.close();
});

/** A phone, as the Rokid app's web view is; Homebase's own page stands in for the redirect target, which is not reachable here. */
async function phone(locale: 'zh-CN' | 'en-US'): Promise<{ page: Page; landed: Promise<URL> }> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
  const page = await context.newPage();
  const landed = new Promise<URL>((resolve) => {
    void page.route(`${REDIRECT}**`, async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Homebase</title>' });
    });
  });
  return { page, landed };
}

const authorizeUrl = (state: string) => new StrictOAuthClient(driver.url, REGISTRATION).authorizeUrl({ state });

describe.skipIf(!hasChromium)('the sign-in page, in chromium', { timeout: 30_000 }, () => {
  it('signs in after a wrong password and returns to Homebase with a code and the state', async () => {
    const { page, landed } = await phone('en-US');
    await page.goto(authorizeUrl('page-1'));
    await expect(page.title()).resolves.toBe('Sign in to link your account');
    await page.screenshot({ path: screenshotPath('sign-in-en'), fullPage: true });

    await page.getByLabel('Username or phone number').fill(DEMO_ACCOUNT.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in and allow' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe('The username or password is wrong. Try again.');
    // The username stays, the password does not, and neither is in the address.
    await expect(page.getByLabel('Username or phone number').inputValue()).resolves.toBe(DEMO_ACCOUNT.username);
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    expect(page.url()).not.toContain('not-the-password');
    await page.screenshot({ path: screenshotPath('sign-in-wrong-password'), fullPage: true });

    await page.getByLabel('Password').fill(DEMO_ACCOUNT.password);
    await page.getByRole('button', { name: 'Sign in and allow' }).click();
    const back = await landed;
    expect(Object.fromEntries(back.searchParams)).toEqual({ code: expect.stringMatching(/^hbc\./), state: 'page-1' });
    const tokens = await new StrictOAuthClient(driver.url, REGISTRATION).exchange(back.searchParams.get('code') ?? '');
    expect(tokens.access_token).toMatch(/^hbu\./);
    await page.context().close();
  });

  it('speaks Chinese to a zh-CN phone, and a cancel returns access_denied', async () => {
    const { page, landed } = await phone('zh-CN');
    await page.goto(authorizeUrl('page-2'));
    await expect(page.title()).resolves.toBe('登录以关联账号');
    // The stylesheet applied under the page's CSP: the primary button is the brand blue.
    const background = await page
      .getByRole('button', { name: '登录并授权' })
      .evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor,
      );
    expect(background).toBe('rgb(47, 111, 237)');
    await page.screenshot({ path: screenshotPath('sign-in-zh'), fullPage: true });
    await page.getByRole('button', { name: '取消' }).click();
    const back = await landed;
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'access_denied', state: 'page-2' });
    await page.context().close();
  });
});
