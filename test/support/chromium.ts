/**
 * Debian's chromium driven by playwright-core, for the page tests (Playwright's own browser downloads
 * are not reachable here). `.ci/run` installs the package when it is missing; elsewhere, a machine
 * without it skips the page tests and says why. Under CI a missing browser fails instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Whether the page tests can run; when they cannot outside CI, the reason is printed once. */
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['CI'] !== 'true') {
  console.warn(`Page tests skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
}
if (!hasChromium && process.env['CI'] === 'true') {
  throw new Error(`CI needs chromium at ${CHROMIUM} for the page tests; .ci/run installs it.`);
}

export const launchChromium = (): Promise<Browser> =>
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });

/** Where screenshots go: test-results/screenshots, ignored by git, for a person to look at. */
export function screenshotPath(name: string): string {
  const dir = join(process.cwd(), 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
