/**
 * The playground in a real browser (chromium): signing in, the demo home, a light switched, a number
 * set, an error shown after a refused action, and linking over OAuth against the local authorization
 * server, through the commands and through the standard OAuth 2.0 server. Screenshots land in
 * test-results/screenshots for a person to look at.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { DEMO_OAUTH_ACCOUNT } from '../../lib/local/oauth-server.ts';
import { DEMO_ACCOUNT } from '../../lib/local/usercenter-server.ts';
import { runLinks } from '../../lib/operator/links-command.ts';
import { hasChromium, launchChromium, screenshotPath } from '../support/chromium.ts';

let driver: LocalDriver;
let browser: Browser;
let dataDir: string;
beforeAll(async () => {
  if (!hasChromium) return;
  dataDir = await mkdtemp(join(tmpdir(), 'playground-'));
  [driver, browser] = await Promise.all([
    startLocalDriver({ port: 0, dataDir, settings: { REFRESH_INTERVAL_S: '3600' }, playground: 'on' }),
    launchChromium(),
  ]);
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await driver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function open(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(driver.url);
  // A CSP violation or a script error shows here first.
  expect(problems).toEqual([]);
  return page;
}

const card = (page: Page, name: string) => page.getByRole('article', { name });

describe.skipIf(!hasChromium)('the playground, in chromium', { timeout: 60_000 }, () => {
  it('signs in with the demo account, shows the home by room, switches a light and sets a number', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Sign in with login' }).click();
    await page.getByRole('heading', { name: '客厅' }).waitFor();
    await expect(page.getByRole('heading', { name: '卧室' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('article.device').count()).resolves.toBe(6);

    const light = card(page, '吸顶灯');
    const toggle = light.getByRole('switch', { name: '吸顶灯 switch' });
    const before = await toggle.getAttribute('aria-checked');
    await toggle.click();
    await expect.poll(() => light.getByRole('switch').getAttribute('aria-checked')).toBe(before === 'true' ? 'false' : 'true');
    await expect(light.locator('[data-property=switch]').textContent()).resolves.toBe(`switch: ${before === 'true' ? 'off' : 'on'}`);

    await light.getByRole('slider', { name: '吸顶灯 brightness' }).fill('30');
    await expect.poll(() => light.locator('[data-property=brightness]').textContent()).toBe('brightness: 30');
    // The protocol pane shows the execute that did it, request and answer.
    await expect(page.getByLabel('POST /execute request').first().textContent()).resolves.toContain('"name": "num"');
    await expect(page.getByLabel('POST /execute response').first().textContent()).resolves.toContain('"brightness": 30');
    await page.screenshot({ path: screenshotPath('playground-home'), fullPage: true });

    // Renewing the sign-in shows the new expiry.
    await page.getByRole('button', { name: 'Renew sign-in (OAuthRefresh)' }).click();
    await expect.poll(() => page.locator('#expiry').textContent()).toMatch(/^Renewed: signed in until /);

    // An operator revokes the link: the next action is refused, and the card says why.
    const revoked = await runLinks(['revoke', DEMO_ACCOUNT.userId], {
      env: { DATA_DIR: dataDir },
      out: () => undefined,
      err: () => undefined,
    });
    expect(revoked).toBe(0);
    await light.getByRole('switch').click();
    await expect.poll(() => light.getByRole('alert').textContent()).toMatch(/^E_DRIVER_SIGN_ERROR: Your sign-in is no longer valid/);
    await page.screenshot({ path: screenshotPath('playground-error'), fullPage: true });
    await page.context().close();
  });

  it('links through the OAuth commands against the local authorization server', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Link with OAuth commands' }).click();
    await page.getByLabel(/username/i).fill(DEMO_OAUTH_ACCOUNT.username);
    await page.getByLabel(/password/i).fill(DEMO_OAUTH_ACCOUNT.password);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(`${driver.url}/`);
    await expect.poll(() => page.locator('article.device').count()).toBe(6);
    await expect(page.getByLabel('POST /command request').first().textContent()).resolves.toContain('OAuthGetToken');
    await page.context().close();
  });

  it('links through the standard OAuth 2.0 server, with the driver sign-in page, on a phone', async () => {
    const page = await open({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Link with OAuth 2.0' }).click();
    await page.getByLabel('Username or phone number').fill(DEMO_ACCOUNT.username);
    await page.getByLabel('Password').fill(DEMO_ACCOUNT.password);
    await page.getByRole('button', { name: 'Sign in and allow' }).click();
    await page.waitForURL(`${driver.url}/`);
    await expect.poll(() => page.locator('article.device').count()).toBe(6);
    await expect(page.getByLabel('POST /oauth2/token (as Homebase) response').first().textContent()).resolves.toContain(
      '"token_type": "Bearer"',
    );
    await page.getByRole('button', { name: 'Renew tokens (refresh_token grant)' }).click();
    await expect.poll(() => page.locator('#expiry').textContent()).toMatch(/^Renewed: /);
    await page.screenshot({ path: screenshotPath('playground-phone'), fullPage: true });
    await page.context().close();
  });
});
