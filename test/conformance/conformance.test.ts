/**
 * The conformance CLI against our own driver (all green), against a driver written in the test that
 * follows the protocol exactly and has no /command (no false alarms), and against that driver with
 * one planted defect at a time (each reported by the check's id). The entry point itself is run too,
 * for its exit codes and JSON.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConformanceArgs, UsageError } from '../../lib/conformance/args.ts';
import type { RunOptions } from '../../lib/conformance/context.ts';
import { humanReport } from '../../lib/conformance/report.ts';
import { runConformance } from '../../lib/conformance/run.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { type Defect, REFERENCE_TOKEN, startReferenceDriver } from '../support/reference-driver.ts';
import { closedPortUrl } from '../support/scripted-server.ts';

const run = promisify(execFile);

let driver: LocalDriver;
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, settings: { REFRESH_INTERVAL_S: '3600' } });
});
afterAll(() => driver.close());

const options = (baseUrl: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  baseUrl,
  callbackUrl: 'https://homebase.rokid.com/oauth/callback',
  execute: true,
  execDelayMs: 0,
  ...extra,
});
const failedIds = (report: Awaited<ReturnType<typeof runConformance>>) => report.results.filter((r) => !r.ok).map((r) => r.id);

describe('against our driver', () => {
  it('passes every check, executing every action and putting each device back', async () => {
    const report = await runConformance(options(driver.url, { username: 'demo', password: 'homebase' }));
    expect(failedIds(report)).toEqual([]);
    const ids = report.results.map((r) => r.id);
    for (const id of [
      'command.login',
      'command.oauth',
      'list.device-model',
      'execute.bad-token',
      'hostile.command.large-body',
      'oauth2.metadata',
      'errors.envelopes',
    ]) {
      expect(ids).toContain(id);
    }
    const restores = report.results.filter((r) => r.id.endsWith('.restore'));
    expect(restores.every((r) => r.ok)).toBe(true);
    // The scene had no switch state before it ran, and nothing can take one away: said so, not claimed.
    const [sceneRestore, ...others] = [...restores].sort((a, b) => Number(b.skipped) - Number(a.skipped));
    expect(sceneRestore).toMatchObject({
      skipped: true,
      message: 'cannot be put back as it was: it had no switch before the run and now has switch: "on", and no action removes a value',
    });
    expect(others.every((r) => !r.skipped)).toBe(true);
    expect(report.passed).toBeGreaterThan(50);
  }, 60_000);

  it('stays read-only when asked, skipping the actions and saying why', async () => {
    const report = await runConformance(options(driver.url, { username: 'demo', password: 'homebase', execute: false }));
    expect(failedIds(report)).toEqual([]);
    const skipped = report.results.filter((r) => r.id.startsWith('execute.vd-'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((r) => r.skipped && r.message.startsWith('read-only'))).toBe(true);
  });
});

describe('against a driver that follows the protocol exactly, without /command', () => {
  it('finds nothing wrong; the optional parts are skipped, and rhome-only findings are warnings', async () => {
    const reference = await startReferenceDriver();
    try {
      const report = await runConformance(options(reference.url, { userToken: REFERENCE_TOKEN }));
      expect(failedIds(report)).toEqual([]);
      const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
      expect(byId['command.login']).toMatchObject({ skipped: true, message: expect.stringContaining('no /command') });
      expect(byId['hostile.command.malformed-json']).toMatchObject({ skipped: true });
      expect(byId['oauth2.metadata']).toMatchObject({ skipped: true });
      expect(byId['list.rhome']?.message).toMatch(
        /^warning: ac-1: rhome v1\.2\.0 refuses state\.mode null; stb-1: rhome v1\.2\.0 does not know type stb/,
      );
      expect(byId['execute.light-1.brightness.num']).toMatchObject({ ok: true, skipped: false });
    } finally {
      await reference.close();
    }
  });

  it.each<[Defect, string, RegExp]>([
    ['duplicate-id', 'list.unique-ids', /^light-1 is listed more than once$/],
    ['unknown-type', 'list.device-model', /^light-1: type "lamp" is not a Homebase type \(light, /],
    ['out-of-range', 'list.device-model', /^light-1: state\.brightness: expected a number from 0 to 100$/],
    ['state-key', 'list.state-keys', /^light-1: state\.color belongs to no action the device lists$/],
    ['not-persisted', 'execute.light-1.switch.on', /^the next \/list shows state\.switch "off", not "on"$/],
    ['wrong-answer', 'execute.light-1.switch.on', /^the answer's state\.switch is "off", not "on"/],
    ['accepts-unknown-device', 'execute.unknown-device', /^status is 0: the driver answered success$/],
    ['accepts-bad-token', 'list.bad-token', /^status is 0/],
    ['crash-on-malformed', 'hostile.list.malformed-json', /^HTTP 500 with an HTML page$/],
    ['crash-on-large', 'hostile.execute.large-body', /^HTTP 500 with an HTML page$/],
    ['bad-error-name', 'errors.envelopes', /errorName "E_NOPE" is not one of the protocol's/],
    ['empty-message', 'errors.envelopes', /message is missing or empty/],
  ])('reports %s as a failure of %s, naming the field or the action', async (defect, id, reason) => {
    const reference = await startReferenceDriver(defect);
    try {
      const report = await runConformance(options(reference.url, { userToken: REFERENCE_TOKEN }));
      const failure = report.results.find((r) => r.id === id);
      expect(failure).toMatchObject({ ok: false, skipped: false });
      expect(failure?.message).toMatch(reason);
      const lines = humanReport(report).join('\n');
      expect(lines).toContain(`✗ ${id}`);
    } finally {
      await reference.close();
    }
  });

  it('reports error answers with a status other than 200 as warnings, not failures', async () => {
    const reference = await startReferenceDriver('non-200-errors');
    try {
      const report = await runConformance(options(reference.url, { userToken: REFERENCE_TOKEN }));
      expect(failedIds(report)).toEqual([]);
      expect(report.results.find((r) => r.id === 'hostile.list.malformed-json')?.message).toBe(
        'HTTP 400 (rhome needs 200 for every answer)',
      );
    } finally {
      await reference.close();
    }
  });
});

describe('the command line', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/conformance.ts', ...args]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  it('prints one JSON object with --json and exits 0 when nothing failed', async () => {
    const { code, stdout } = await cli(driver.url, '--username', 'demo', '--password', 'homebase', '--read-only', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['passed', 'failed', 'skipped', 'results']);
    expect(report.failed).toBe(0);
    expect(Object.keys(report.results[0])).toEqual(['id', 'title', 'ok', 'skipped', 'message']);
  }, 60_000);

  it('prints JSON alone through npm run -s, as docs/conformance.md shows it', async () => {
    const { stdout } = await run('npm', [
      'run',
      '-s',
      'conformance',
      '--',
      driver.url,
      '--username',
      'demo',
      '--password',
      'homebase',
      '--read-only',
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ failed: 0 });
  }, 60_000);

  it('exits 1 when something failed, with the reason under the check', async () => {
    const reference = await startReferenceDriver('duplicate-id');
    try {
      const { code, stdout } = await cli(reference.url, '--user-token', REFERENCE_TOKEN);
      expect(code).toBe(1);
      expect(stdout).toMatch(/✗ list\.unique-ids +deviceIds are unique\n {4}light-1 is listed more than once/);
    } finally {
      await reference.close();
    }
  });

  it('exits 2 for an unreachable URL, and for each usage error', async () => {
    const unreachable = await cli(await closedPortUrl());
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot be reached: /);
    const usage = await cli();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^The driver's base URL is missing\.\n\nusage: npm run conformance/);
  });

  it.each([
    [['ftp://x'], '"ftp://x" is not an http(s) URL.'],
    [['http://127.0.0.1:1', '--username', 'u'], '--username and --password go together.'],
    [['http://127.0.0.1:1', '--user-id', 'u'], '--user-id needs --user-token.'],
    [
      ['http://127.0.0.1:1', '--username', 'u', '--password', 'p', '--user-token', 't'],
      'Give a username and password, or a userId and userToken: not both.',
    ],
    [['http://127.0.0.1:1', '--read-only', '--execute'], '--read-only and --execute contradict each other.'],
    [['http://127.0.0.1:1', '--exec-delay', 'soon'], '--exec-delay is a whole number of milliseconds.'],
    [['http://127.0.0.1:1', 'extra'], 'Unexpected "extra".'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseConformanceArgs(argv)).toThrow(new UsageError(message));
  });

  it('is read-only away from loopback unless --execute, and pauses between actions there', () => {
    expect(parseConformanceArgs(['https://driver.example/v1'])).toMatchObject({ options: { execute: false, execDelayMs: 300 } });
    expect(parseConformanceArgs(['https://driver.example/v1', '--execute'])).toMatchObject({ options: { execute: true } });
    expect(parseConformanceArgs(['http://127.0.0.1:3000'])).toMatchObject({ options: { execute: true, execDelayMs: 0 } });
  });
});
