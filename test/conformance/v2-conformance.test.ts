/**
 * The conformance CLI with --protocol v2: against our driver with both authorization types (all green),
 * against a v2 driver written in the test that follows the digest exactly (no false alarms), and against
 * that driver with one planted defect at a time (each reported by its check's id). The entry point is run
 * too, for its exit codes, its JSON and its usage errors.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConformanceArgs, UsageError } from '../../lib/conformance/args.ts';
import type { RunOptions } from '../../lib/conformance/context.ts';
import { runConformance } from '../../lib/conformance/run.ts';
import { LOCAL_JWT_APP_ID, type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';
import { demoUserAuth } from '../../lib/local/usercenter-server.ts';
import {
  REFERENCE_HEADER,
  REFERENCE_JWT,
  REFERENCE_V2_TOKEN,
  startReferenceV2Driver,
  type V2Defect,
} from '../support/reference-v2-driver.ts';

const run = promisify(execFile);

let driver: LocalDriver;
let userToken: string;
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, playground: 'off', settings: { REFRESH_INTERVAL_S: '3600' } });
  userToken = (await demoUserAuth(driver.url)).userToken;
}, 30_000);
afterAll(() => driver.close());

const options = (baseUrl: string, extra: Partial<RunOptions>): RunOptions => ({
  baseUrl,
  callbackUrl: 'https://homebase.rokid.com/oauth/callback',
  execute: true,
  execDelayMs: 0,
  protocol: 'v2',
  ...extra,
});
const failedIds = (report: Awaited<ReturnType<typeof runConformance>>) => report.results.filter((r) => !r.ok).map((r) => r.id);

describe('against our driver', () => {
  it('passes every check with a BearerToken, controlling every endpoint and putting each back', async () => {
    const report = await runConformance(options(driver.url, { bearer: userToken }));
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    const ids = report.results.map((r) => r.id);
    for (const id of [
      'v2.discover',
      'v2.endpoint-model',
      'v2.report-state',
      'v2.at-most-once',
      'v2.errors.no-such-endpoint',
      'v2.hostile.large-body',
      'v2.error-responses',
    ]) {
      expect(ids).toContain(id);
    }
    expect(report.results.filter((r) => r.id.startsWith('v2.control.') && !r.skipped)).toHaveLength(6);
    // Only what a BearerToken run without a console header cannot check.
    expect(report.results.filter((r) => r.skipped).map((r) => r.id)).toEqual(['v2.errors.unsigned-jwt', 'v2.errors.missing-header']);
    // rhome's older schemas are warnings: recommendHomeName, MotionSwitch, and ErrorResponses without an endpoint.
    expect(report.results.find((r) => r.id === 'v2.rhome')?.message).toMatch(
      /recommendHomeName.*MotionSwitch|MotionSwitch.*recommendHomeName/s,
    );
  }, 30_000);

  it('passes every check with a JWT signed as Rokid signs it', async () => {
    const jwt = { appId: LOCAL_JWT_APP_ID, appSecret: driver.config.ROKID_JWT_APP_SECRET, userId: 'conformance-jwt-user' };
    const report = await runConformance(options(driver.url, { jwt }));
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(report.results.find((r) => r.id === 'v2.errors.unsigned-jwt')).toMatchObject({ ok: true, skipped: false });
  }, 30_000);

  it('with the console’s custom header required: passes with --header, and checks a message without it is refused', async () => {
    const guarded = await startLocalDriver({
      port: 0,
      playground: 'off',
      settings: { REFRESH_INTERVAL_S: '3600', V2_REQUIRED_HEADER: 'X-Skill-Key: k-1' },
    });
    try {
      const jwt = { appId: LOCAL_JWT_APP_ID, appSecret: guarded.config.ROKID_JWT_APP_SECRET, userId: 'header-user' };
      const report = await runConformance(options(guarded.url, { jwt, headers: { 'x-skill-key': 'k-1' } }));
      expect(report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      expect(report.results.find((r) => r.id === 'v2.errors.missing-header')).toMatchObject({ ok: true, skipped: false });
      // Without the header, nothing the driver answers is a Discover.
      expect(failedIds(await runConformance(options(guarded.url, { jwt })))).toContain('v2.discover');
    } finally {
      await guarded.close();
    }
  }, 60_000);
});

describe('against a v2 driver that follows the digest', () => {
  it('finds nothing wrong', async () => {
    const reference = await startReferenceV2Driver();
    try {
      const report = await runConformance(options(reference.url, { bearer: REFERENCE_V2_TOKEN, headers: REFERENCE_HEADER }));
      expect(report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      const jwt = { ...REFERENCE_JWT, userId: 'reference-user' };
      const withJwt = await runConformance(options(reference.url, { jwt, headers: REFERENCE_HEADER }));
      expect(withJwt.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    } finally {
      await reference.close();
    }
  });

  it.each<[V2Defect, string]>([
    ['no-version', 'v2.endpoint-model'],
    ['bad-display-type', 'v2.endpoint-model'],
    ['dotted-additional-info', 'v2.endpoint-model'],
    ['bad-time-of-sample', 'v2.endpoint-model'],
    ['stale-message-id', 'v2.discover'],
    ['accepts-bad-token', 'v2.errors.bad-authorization'],
    ['wrong-error-name', 'v2.errors.no-such-endpoint'],
    ['acts-twice', 'v2.at-most-once'],
    ['not-persisted', 'v2.control.light-1'],
    ['wrong-enum-state', 'v2.control.ac-1'],
    ['accepts-out-of-range', 'v2.errors.out-of-range'],
    ['crash-on-malformed', 'v2.hostile.malformed-json'],
    ['non-200-errors', 'v2.errors.bad-authorization'],
    ['accepts-unsigned-jwt', 'v2.errors.unsigned-jwt'],
    ['ignores-header', 'v2.errors.missing-header'],
  ])('planted defect %s fails %s', async (defect, id) => {
    const reference = await startReferenceV2Driver(defect);
    try {
      // The JWT defect shows only where the run signs JWTs; every other, with the BearerToken.
      const authorization = defect === 'accepts-unsigned-jwt' ? { jwt: { ...REFERENCE_JWT, userId: 'u' } } : { bearer: REFERENCE_V2_TOKEN };
      expect(failedIds(await runConformance(options(reference.url, { ...authorization, headers: REFERENCE_HEADER })))).toContain(id);
    } finally {
      await reference.close();
    }
  });
});

describe('the command line', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/conformance.ts', ...args]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  it('prints the JSON report and exits 0 for our driver, 1 for a defect', async () => {
    const ok = await cli(driver.url, '--protocol', 'v2', '--bearer', userToken, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      failed: 0,
      results: expect.arrayContaining([expect.objectContaining({ id: 'v2.discover', ok: true })]),
    });
    const reference = await startReferenceV2Driver('stale-message-id');
    try {
      const bad = await cli(reference.url, '--protocol', 'v2', '--bearer', REFERENCE_V2_TOKEN, '--header', 'X-Skill-Key: reference-key');
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain('✗ v2.discover');
    } finally {
      await reference.close();
    }
  }, 30_000);

  it.each([
    [['--protocol', 'v3'], '--protocol is v1, v2 or device-cloud, not "v3".'],
    [['--bearer', 't'], '--bearer, --jwt-* and --header are for --protocol v2.'],
    [['--protocol', 'v2', '--jwt-app-id', 'a'], '--jwt-app-id, --jwt-app-secret and --jwt-user-id go together.'],
    [
      ['--protocol', 'v2', '--bearer', 't', '--jwt-app-id', 'a', '--jwt-app-secret', 's', '--jwt-user-id', 'u'],
      'Give --bearer or the --jwt-* options: not both.',
    ],
    [['--protocol', 'v2', '--username', 'u', '--password', 'p'], 'v2 takes --bearer or --jwt-*, not v1 credentials.'],
    [['--protocol', 'v2', '--bearer', 't', '--header', 'no colon'], '--header "no colon" is not "Name: value".'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseConformanceArgs(['http://127.0.0.1:3000', ...args])).toThrow(new UsageError(message));
  });

  it('sends the console’s custom header with every message', () => {
    const parsed = parseConformanceArgs(['http://127.0.0.1:3000', '--protocol', 'v2', '--bearer', 't', '--header', 'X-Skill-Key: k 1']);
    expect(parsed).not.toBe('help');
    expect((parsed as { options: RunOptions }).options.headers).toEqual({ 'x-skill-key': 'k 1' });
  });
});
