/**
 * The playground on a vendor's own device cloud (DEVICE_CLOUD=http), in chromium: no "at the wall" (the vendor's
 * cloud reports its own changes), no bare 500, and what is off said on the page. Screenshots at 1280x800 and
 * 390x844 land in test-results/screenshots.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeviceCloudServer, eitherOf, serviceToken, startDeviceCloud } from '../../lib/local/device-cloud-server.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { SERVICE_TOKEN_NEEDED } from '../../lib/local/local-defaults.ts';
import { hasChromium, launchChromium, screenshotPath } from '../support/chromium.ts';

const SERVICE_TOKEN = 'chosen-by-the-vendor';
let browser: Browser;
let cloud: DeviceCloudServer;
/** With the service token: JWT and state reports on. */
let full: LocalDriver;
/** Two settings only: JWT and state reports off. */
let plain: LocalDriver;

beforeAll(async () => {
  if (!hasChromium) return;
  // The vendor's cloud names a user by the bearer token the driver passes on, or by the service token's header.
  cloud = await startDeviceCloud({
    authenticate: eitherOf(serviceToken(SERVICE_TOKEN), (authorization) =>
      authorization?.startsWith('Bearer ') ? 'vendor-user' : undefined,
    ),
  });
  const settings = { REFRESH_INTERVAL_S: '3600', DEVICE_CLOUD: 'http', DEVICE_CLOUD_URL: cloud.url };
  [full, plain, browser] = await Promise.all([
    startLocalDriver({ port: 0, settings: { ...settings, DEVICE_CLOUD_SERVICE_TOKEN: SERVICE_TOKEN } }),
    startLocalDriver({ port: 0, settings }),
    launchChromium(),
  ]);
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await full?.close();
  await plain?.close();
  await cloud?.close();
});

async function open(driver: LocalDriver, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext({ viewport })).newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(driver.url);
  return { page, problems };
}

describe.skipIf(!hasChromium)("the playground on a vendor's device cloud, in chromium", { timeout: 60_000 }, () => {
  it.each([
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ])('shows the vendor cloud’s devices at $width x $height, controls them, and offers no "at the wall"', async (viewport) => {
    const { page, problems } = await open(full, viewport);
    await page.getByRole('button', { name: 'Sign in with login' }).click();
    await expect.poll(() => page.locator('article.device').count()).toBe(6);
    await expect(page.getByRole('button', { name: /at the wall/ }).count()).resolves.toBe(0);
    const light = page.getByRole('article', { name: '吸顶灯' });
    // The vendor's cloud keeps one home for the user across both runs: the light turns to the other side.
    const before = await light.locator('[data-property=switch]').textContent();
    await light.getByRole('switch', { name: '吸顶灯 switch' }).click();
    await expect
      .poll(() => light.locator('[data-property=switch]').textContent())
      .toBe(before === 'switch: on' ? 'switch: off' : 'switch: on');
    // v2 as well, and still no "at the wall".
    await page.getByRole('radio', { name: 'v2' }).click();
    await expect.poll(() => page.locator('[data-endpoint-id]').count()).toBe(6);
    await expect(page.getByRole('button', { name: /at the wall/ }).count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath(`vendor-cloud-${viewport.width}x${viewport.height}`) });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('with two settings only, a JWT sign-in says on the page what turns JWT on', async () => {
    const { page, problems } = await open(plain, { width: 1280, height: 800 });
    await page.getByLabel('Vendor user id').fill('vendor-user');
    await page.getByRole('button', { name: 'Sign in with a JWT' }).click();
    const problem = page.locator('#problem');
    await expect.poll(() => problem.textContent()).toBe(`JWT authorization is off: ${SERVICE_TOKEN_NEEDED}.`);
    await page.screenshot({ path: screenshotPath('vendor-cloud-jwt-off-1280x800') });
    // The browser reports the 409 it was answered; nothing else went wrong.
    expect(problems.filter((p) => !p.includes('409'))).toEqual([]);
    await page.context().close();
  });
});
