/**
 * `npm run preflight`: before a real `cdk deploy`, synthesize the stack with the same context (or take a
 * `cdk.out`), run it on loopback as deployed (local-cloud.ts), run every feature the context turns on
 * (preflight-features.ts), and report what a deploy would get wrong: a feature that fails, a call a role
 * would deny, an alarm on a dimension that names nothing. Unused grants (with the path that would use them,
 * where one is known) and alarms nobody triggered are listed, not failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { METRICS_NAMESPACE } from '../functions.ts';
import { checkAlarms } from './alarm-coverage.ts';
import { grantUse } from './grant-uses.ts';
import { HARNESS_OVERRIDES, type LocalCloud, startLocalCloud } from './local-cloud.ts';
import { checkPermissions } from './permissions.ts';
import { type Feature, runFeatures } from './preflight-features.ts';
import { synthesize } from './synthesize.ts';
import { driverFunctionOf, readAssembly, resourcesOfType } from './template.ts';
import { startUpstreamStandIns } from './upstream-stand-ins.ts';

export const USAGE = `usage: npm run preflight -- [-c key=value ...] [--app DIR] [--serve] [--port N]

Synthesizes the stack as \`cdk deploy -c key=value ...\` would (or reads the cloud assembly in DIR),
runs every function from its own asset on loopback behind the template's routes, with dynalite, KMS, Secrets
Manager and SQS stand-ins and local upstreams (the device cloud too, with deviceCloud=http), then runs every
feature the context turns on: the conformance checks (v1, v2 with a BearerToken and, with rokidJwtAppId, with
a JWT), state reports end to end (rokidEventsClientId), and one scheduled refresh.
It fails (exit 1) on a failed feature, an AWS call a function's role would deny, or an alarm whose
dimensions name no resource of the template. --serve keeps the driver up afterwards, until Ctrl-C.`;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export async function runPreflight(argv: string[], io: Io): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const context: Record<string, string> = {};
  for (const pair of values.context ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      io.err(`-c takes key=value, not "${pair}".\n\n${USAGE}`);
      return 2;
    }
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const temp = values.app ? undefined : await mkdtemp(join(tmpdir(), 'preflight-'));
  try {
    if (temp) {
      io.err('Synthesizing, with bundling, as cdk deploy would...');
      await synthesize(context, temp);
    }
    const assembly = await readAssembly(values.app ?? temp!);
    const standIns = await startUpstreamStandIns(assembly);
    const cloud = await startLocalCloud({ assembly, ...standIns.cloudOptions, port: Number(values.port ?? 0) });
    try {
      io.out(`The ${assembly.stackName} assembly runs at ${cloud.url}`);
      const held: Record<string, string | undefined> = {};
      for (const [id, fn] of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
        held[id] = await driverFunctionOf(assembly.assetDir(fn.Properties?.['Code'].S3Key));
      }
      for (const [routeKey, id] of Object.entries(cloud.routes)) io.out(`  ${routeKey.padEnd(44)} → ${held[id] ?? '?'} (${id})`);
      io.out(`Changed from the template (and why): ${Object.keys(HARNESS_OVERRIDES).join(', ')}; see docs/testing.md.`);
      const features = await runFeatures(cloud, standIns, io);
      io.out('\nFeatures the context turns on:');
      for (const feature of features) io.out(`  ${MARKS[feature.outcome]} ${feature.name}: ${feature.detail}`);
      let failed = features.some((feature) => feature.outcome === 'failed');
      failed = reportPermissions(cloud, held, io) || failed;
      const alarms = checkAlarms(assembly, cloud.physical, cloud.metrics(), METRICS_NAMESPACE);
      io.out('\nAlarms:');
      for (const bad of alarms.badDimensions) io.out(`  FAIL ${bad.alarm} ${bad.dimension}: ${bad.problem}`);
      for (const quiet of alarms.withoutEmitter) io.out(`  not emitted in this run: ${quiet.alarm} (${quiet.name})`);
      failed ||= alarms.badDimensions.length > 0;

      const notRun = features.filter((feature) => feature.outcome === 'not run').map((feature) => feature.name);
      io.out(
        failed
          ? '\nPreflight FAILED.'
          : notRun.length > 0
            ? `\nPreflight passed, but did not run: ${notRun.join('; ')}.`
            : '\nPreflight passed.',
      );
      if (values.serve) {
        io.out(`Serving at ${cloud.url}; Ctrl-C stops it.`);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      return failed ? 1 : 0;
    } finally {
      await cloud.close();
      await standIns.close();
    }
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

const MARKS: Record<Feature['outcome'], string> = { passed: '✓', failed: '✗', 'not run': '–' };

/** `held`: the driver function each logical id is, for the path that uses a grant of its role. */
function reportPermissions(cloud: LocalCloud, held: Record<string, string | undefined>, io: Io): boolean {
  const { denied, unused } = checkPermissions(cloud.assembly, cloud.physical, cloud.calls);
  io.out(`\nAWS calls: ${cloud.calls.length}, checked against each function's role.`);
  for (const call of denied) io.out(`  FAIL denied: ${call.function} ${call.action} on ${call.resources.join(', ')}`);
  for (const grant of unused) {
    const use = grantUse(grant, held[grant.function]);
    io.out(`  granted, not used in this run: ${grant.function} ${grant.action} on ${grant.resource}${use ? ` (used when: ${use})` : ''}`);
  }
  return denied.length > 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      context: { type: 'string', short: 'c', multiple: true },
      app: { type: 'string' },
      serve: { type: 'boolean' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
