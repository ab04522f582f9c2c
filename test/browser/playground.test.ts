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

/** Console errors and page errors of each page, from its first load on: a CSP violation or a 404 shows here. */
const problemsOf = new WeakMap<Page, string[]>();

async function open(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  problemsOf.set(page, problems);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(driver.url);
  // A CSP violation or a script error shows here first.
  expect(problems).toEqual([]);
  return page;
}

/**
 * Whether two characters are drawn as different glyphs in the page's font. Without a font for them,
 * chromium draws every one as the same box, so two distinct characters that look alike are boxes.
 */
const drawnApart = (page: Page, a: string, b: string): Promise<boolean> =>
  // A script in the page's own terms (this file is compiled without the DOM's types).
  page.evaluate(`(() => {
    const pixels = (text) => {
      const canvas = document.createElement('canvas');
      canvas.width = 48;
      canvas.height = 48;
      const context = canvas.getContext('2d');
      context.font = '32px ' + getComputedStyle(document.body).fontFamily;
      context.fillText(text, 4, 36);
      return Array.from(context.getImageData(0, 0, 48, 48).data).join(',');
    };
    return pixels(${JSON.stringify(a)}) !== pixels(${JSON.stringify(b)});
  })()`);

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

  it('renders the Chinese names with real glyphs, triggers the scene, keeps the action in sight, and signs out by revoking the link', async () => {
    const page = await open({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Sign in with login' }).click();
    await page.getByRole('heading', { name: '客厅' }).waitFor();
    // Two private-use characters have no glyph anywhere: the check tells boxes apart from glyphs.
    await expect(drawnApart(page, '\uE000', '\uE001')).resolves.toBe(false);
    await expect(drawnApart(page, '回', '家'), 'CJK text falls back to boxes: apt-get install fonts-wqy-zenhei').resolves.toBe(true);

    // The scene has only `on`: it is a button, and pressing it runs the scene.
    const scene = card(page, '回家模式');
    await scene.getByRole('button', { name: 'on' }).click();
    await expect.poll(() => scene.locator('[data-property=switch]').textContent()).toBe('switch: on');

    // The request shows the action first, whole: nothing cut off, nothing to scroll.
    const request = page.getByLabel('POST /execute request').first();
    await expect(request.textContent()).resolves.toMatch(/^\{\n {2}"action": \{/);
    const fits = await request.evaluate((node) => node.scrollHeight <= node.clientHeight + 1 && node.scrollWidth <= node.clientWidth + 1);
    expect(fits).toBe(true);
    await page.screenshot({ path: screenshotPath('playground-1280x800') });

    // Signing out revokes the link: the token it held is refused afterwards.
    const token = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('homebase-playground-session')).userToken`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with login' }).waitFor();
    await expect(page.getByLabel('POST /oauth2/revoke (as Homebase) response').first().textContent()).resolves.toContain('"revoked": true');
    const listed = await fetch(`${driver.url}/list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userAuth: { userToken: token } }),
    }).then((r) => r.json());
    expect(listed).toMatchObject({ status: 1, errorName: expect.stringMatching(/^E_(INVALID_AUTHORIZATION|DRIVER_SIGN_ERROR)$/) });
    expect(problemsOf.get(page)).toEqual([]);
    await page.context().close();
  });

  it("on a phone: the protocol a collapsed sheet in sight, the toolbar one row, a slider's steps on one line", async () => {
    const page = await open({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Sign in with login' }).click();
    await page.getByRole('heading', { name: '客厅' }).waitFor();
    const light = card(page, '吸顶灯');
    await light.getByRole('slider', { name: '吸顶灯 brightness' }).fill('40');
    await expect.poll(() => light.locator('[data-property=brightness]').textContent()).toBe('brightness: 40');
    // The sheet starts collapsed: its title bar and the latest exchange, at the bottom, a small part of the screen.
    const toggle = page.getByRole('button', { name: /The protocol, as it happens/ });
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(page.locator('#protocol-latest').textContent()).resolves.toBe('POST /execute: ok');
    const pane = await page.getByRole('region', { name: 'Protocol' }).boundingBox();
    expect(pane!.y + pane!.height).toBeLessThanOrEqual(844 + 1);
    expect(pane!.height).toBeLessThan(844 * 0.12);
    await page.screenshot({ path: screenshotPath('playground-390x844') });
    // Opened, it shows the exchanges, and closes again.
    await toggle.click();
    await page.getByLabel('POST /execute request').first().waitFor();
    const opened = await page.getByRole('region', { name: 'Protocol' }).boundingBox();
    expect(opened!.y).toBeLessThan(844);
    expect(opened!.y + opened!.height).toBeLessThanOrEqual(844 + 1);
    await page.screenshot({ path: screenshotPath('playground-390x844-protocol-open') });
    await toggle.click();
    await expect(page.getByLabel('POST /execute request').first().isVisible()).resolves.toBe(false);
    // The toolbar is one row inside the screen; the rest is behind More.
    const row = await page
      .locator('.toolbar > :is(button, span):visible')
      .evaluateAll((items: { getBoundingClientRect(): { top: number; bottom: number; right: number } }[]) =>
        items.map((item) => item.getBoundingClientRect()),
      );
    expect(row.length).toBe(3);
    // One row: every item starts above where every other ends.
    expect(Math.max(...row.map((t) => t.top))).toBeLessThan(Math.min(...row.map((t) => t.bottom)));
    expect(Math.max(...row.map((t) => t.right))).toBeLessThanOrEqual(390);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.screenshot({ path: screenshotPath('playground-390x844-more') });
    await page.getByRole('button', { name: 'More' }).click();
    const steps = light.locator('.control', { has: page.getByRole('slider', { name: '吸顶灯 brightness' }) }).locator('.steps button');
    const tops = await steps.evaluateAll((buttons: { getBoundingClientRect(): { top: number } }[]) =>
      buttons.map((button) => Math.round(button.getBoundingClientRect().top)),
    );
    expect(tops.length).toBeGreaterThan(1);
    expect(new Set(tops).size).toBe(1);
    expect(problemsOf.get(page)).toEqual([]);
    await page.context().close();
  });

  it('switches to v2: Discover draws the endpoints, a Control and a ReportState each show in the protocol pane, and v1 sees the change', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Sign in with login' }).click();
    await page.getByRole('heading', { name: '客厅' }).waitFor();
    await page.getByRole('radio', { name: 'v2' }).click();
    await expect.poll(() => page.getByLabel('POST /v2 Rokid.Discovery / Discover response').count()).toBe(1);
    await expect(page.locator('article.device').count()).resolves.toBe(6);
    const light = card(page, '吸顶灯');
    await light.getByRole('slider', { name: '吸顶灯 Brightness' }).fill('35');
    await expect.poll(() => light.locator('[data-interface=Brightness]').textContent()).toBe('Brightness: 35');
    const request = page.getByLabel('POST /v2 Rokid.Control / Brightness.Set request').first();
    await expect(request.textContent()).resolves.toContain('"type": "BearerToken"');
    await expect(page.getByLabel('POST /v2 Rokid.Control / Brightness.Set response').first().textContent()).resolves.toContain(
      '"name": "Response"',
    );
    await light.getByRole('button', { name: 'ReportState' }).click();
    await expect.poll(() => page.getByLabel('POST /v2 Rokid.Query / ReportState response').count()).toBe(1);
    // An enum is its operation names, set from a list.
    const ac = card(page, '空调');
    await ac.getByRole('combobox', { name: '空调 Mode' }).selectOption('Heat');
    await expect.poll(() => ac.locator('[data-interface=Mode]').textContent()).toBe('Mode: Heat');
    // A colour is set from a picker, as a decimal RGB value.
    const rgb = card(page, '彩灯');
    await rgb.getByLabel('彩灯 Color').fill('#00ff00');
    await expect.poll(() => rgb.locator('[data-interface=Color]').textContent()).toBe(`Color: ${0x00ff00}`);
    // Every operation button stays inside its card, however many an interface has.
    const overflow = await page
      .locator('article.device')
      .evaluateAll(
        (cards: { scrollWidth: number; clientWidth: number }[]) => cards.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
      );
    expect(overflow).toBe(0);
    await page.screenshot({ path: screenshotPath('playground-v2'), fullPage: true });
    // Back on v1, the same light at 35.
    await page.getByRole('radio', { name: 'v1' }).click();
    await expect.poll(() => card(page, '吸顶灯').locator('[data-property=brightness]').textContent()).toBe('brightness: 35');
    expect(problemsOf.get(page)).toEqual([]);
    await page.context().close();
  });

  it('enables state reports as Rokid would (a code, then AcceptGrant), and a switch flipped at the wall reaches Rokid as a ChangeReport', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Sign in with login' }).click();
    await page.getByRole('heading', { name: '客厅' }).waitFor();
    await page.getByRole('radio', { name: 'v2' }).click();
    await page.getByRole('button', { name: 'Enable state reports' }).click();
    await expect.poll(() => page.getByLabel('POST /v2 Rokid.Authorization / AcceptGrant response').count()).toBe(1);
    await expect(page.getByLabel('POST /v2 Rokid.Authorization / AcceptGrant response').textContent()).resolves.toContain(
      '"name": "AcceptGrantResponse"',
    );
    await page.getByText('State reports on').waitFor();
    const events = page.getByRole('region', { name: 'Events at Rokid' });
    await events.getByText('None yet.').waitFor();
    // Rokid asks for a change: answered, never reported.
    const light = card(page, '吸顶灯');
    const before = await light.locator('[data-interface=Switch]').textContent();
    await light.getByRole('switch', { name: '吸顶灯 Switch' }).click();
    await expect.poll(() => light.locator('[data-interface=Switch]').textContent()).not.toBe(before);
    // At the wall: the device cloud reports it, and the gateway receives a ChangeReport.
    const now = await light.locator('[data-interface=Switch]').textContent();
    await light.getByRole('button', { name: '吸顶灯 Switch at the wall' }).click();
    await expect.poll(() => light.locator('[data-interface=Switch]').textContent()).not.toBe(now);
    await expect.poll(() => events.getByLabel('event 1').count(), { timeout: 10_000 }).toBe(1);
    const first = JSON.parse((await events.getByLabel('event 1').textContent()) ?? '{}');
    expect(first.header).toMatchObject({ namespace: 'Rokid', name: 'ChangeReport' });
    expect(first.payload.change.cause).toEqual({ type: 'PHYSICAL_INTERACTION' });
    await expect(events.getByText('HTTP 202').count()).resolves.toBe(1);
    // Discover now marks the endpoints proactively reported.
    await page.getByRole('button', { name: 'Discover again' }).click();
    await expect
      .poll(async () =>
        (await page.getByLabel('POST /v2 Rokid.Discovery / Discover response').first().textContent())?.includes(
          '"proactivelyReported": true',
        ),
      )
      .toBe(true);
    await page.screenshot({ path: screenshotPath('playground-state-reports'), fullPage: true });
    // v1's cards have the same control, and the pane stays.
    await page.getByRole('radio', { name: 'v1' }).click();
    await card(page, '彩灯').getByRole('button', { name: '彩灯 switch at the wall' }).click();
    await expect.poll(() => events.getByLabel('event 2').count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: screenshotPath('playground-state-reports-v1'), fullPage: true });
    expect(problemsOf.get(page)).toEqual([]);
    await page.context().close();
  });

  it('signs in with a JWT for a vendor user (v2 only), whose home is their own, and refuses an empty user id', async () => {
    const page = await open();
    await page.screenshot({ path: screenshotPath('playground-sign-in') });
    await page.getByLabel('Vendor user id').fill('playground-jwt-user');
    await page.getByRole('button', { name: 'Sign in with a JWT' }).click();
    await expect.poll(() => page.locator('article.device').count()).toBe(6);
    await expect(page.locator('#who').textContent()).resolves.toBe('vendor user playground-jwt-user (JWT)');
    await expect(page.getByRole('radio', { name: 'v1' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByLabel('POST /v2 Rokid.Discovery / Discover request').first().textContent()).resolves.toContain('"type": "JWT"');
    const scene = card(page, '回家模式');
    await scene.getByRole('button', { name: 'On' }).click();
    await expect.poll(() => scene.locator('[data-interface=Switch]').textContent()).toBe('Switch: On');
    await page.screenshot({ path: screenshotPath('playground-v2-jwt'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Vendor user id').fill('');
    await page.getByRole('button', { name: 'Sign in with a JWT' }).click();
    // The browser's own check stops it: nothing is sent.
    await expect(page.getByLabel('POST /playground/jwt (as Rokid signs) request').count()).resolves.toBe(1);
    expect(problemsOf.get(page)).toEqual([]);
    await page.context().close();
  });

  it('links through the OAuth commands against the local authorization server, whose page fits a phone and names the demo account', async () => {
    const page = await open({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Link with OAuth commands' }).click();
    await page.getByText('sign in as demo / homebase').waitFor();
    const input = await page.getByLabel(/username/i).boundingBox();
    expect(input!.x + input!.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: screenshotPath('vendor-sign-in-390x844') });
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
    // On a phone, renewing is behind More.
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('button', { name: 'Renew tokens (refresh_token grant)' }).click();
    await expect.poll(() => page.locator('#expiry').textContent()).toMatch(/^Renewed: /);
    await page.screenshot({ path: screenshotPath('playground-phone'), fullPage: true });
    await page.context().close();
  });
});
