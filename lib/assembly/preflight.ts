/**
 * `npm run preflight`: before a real `cdk deploy`, synthesize the stack with the same context (or take a
 * `cdk.out`), run it on loopback as deployed (local-cloud.ts), drive it with the conformance checks and
 * one scheduled refresh run, and report what a deploy would get wrong: a call a role would deny, an alarm
 * on a dimension that names nothing. Unused grants and alarms nobody triggered are listed, not failed:
 * an engineer's run exercises less than the test suite's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { headerLine } from '../../functions/config.ts';
import { humanReport } from '../conformance/report.ts';
import { runConformance } from '../conformance/run.ts';
import { METRICS_NAMESPACE } from '../functions.ts';
import { DEMO_ACCOUNT, demoUserAuth } from '../local/usercenter-server.ts';
import { checkAlarms } from './alarm-coverage.ts';
import { HARNESS_OVERRIDES, type LocalCloud, startLocalCloud } from './local-cloud.ts';
import { checkPermissions } from './permissions.ts';
import { synthesize } from './synthesize.ts';
import { type CloudAssembly, driverFunctionOf, readAssembly, resourcesOfType } from './template.ts';
import { startUpstreamStandIns } from './upstream-stand-ins.ts';

export const USAGE = `usage: npm run preflight -- [-c key=value ...] [--app DIR] [--serve] [--port N]

Synthesizes the stack as \`cdk deploy -c key=value ...\` would (or reads the cloud assembly in DIR),
runs every function from its own asset on loopback behind the template's routes, with dynalite, KMS and
Secrets Manager stand-ins and local upstreams, then runs the conformance checks and one scheduled refresh.
It fails (exit 1) on a conformance failure, an AWS call a function's role would deny, or an alarm whose
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
      let failed = false;

      const report = await runConformance({
        baseUrl: cloud.url,
        callbackUrl: 'https://homebase.rokid.com/oauth/callback',
        execute: true,
        execDelayMs: 0,
        ...(standIns.userCenter ? { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password } : {}),
      });
      io.out('\nConformance:');
      for (const line of humanReport(report)) io.out(`  ${line}`);
      failed ||= report.failed > 0;

      // v2 at /v2, with the demo account's token as the BearerToken and the console header the template requires.
      if (standIns.userCenter) {
        const v2 = await runConformance({
          baseUrl: cloud.url,
          callbackUrl: 'https://homebase.rokid.com/oauth/callback',
          execute: true,
          execDelayMs: 0,
          protocol: 'v2',
          bearer: (await demoUserAuth(cloud.url)).userToken,
          headers: requiredHeader(assembly, held),
        });
        io.out('\nConformance, v2:');
        for (const line of humanReport(v2)) io.out(`  ${line}`);
        failed ||= v2.failed > 0;
      } else
        io.out(
          '\nConformance, v2: skipped (no password login to get a token with; run npm run conformance -- <url> --protocol v2 --bearer <token>)',
        );

      io.out('\nOne scheduled refresh run:');
      io.out(`  ${JSON.stringify(await cloud.runSchedules())}`);

      failed = reportPermissions(cloud, io) || failed;
      const alarms = checkAlarms(assembly, cloud.physical, cloud.metrics(), METRICS_NAMESPACE);
      io.out('\nAlarms:');
      for (const bad of alarms.badDimensions) io.out(`  FAIL ${bad.alarm} ${bad.dimension}: ${bad.problem}`);
      for (const quiet of alarms.withoutEmitter) io.out(`  not emitted in this run: ${quiet.alarm} (${quiet.name})`);
      failed ||= alarms.badDimensions.length > 0;

      io.out(failed ? '\nPreflight FAILED.' : '\nPreflight passed.');
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

/** The console header the directive function requires (V2_REQUIRED_HEADER in its environment), as headers to send. */
function requiredHeader(assembly: CloudAssembly, held: Record<string, string | undefined>): Record<string, string> {
  const [, fn] = resourcesOfType(assembly, 'AWS::Lambda::Function').find(([id]) => held[id] === 'directive') ?? [];
  const header = fn?.Properties?.['Environment']?.Variables?.['V2_REQUIRED_HEADER'];
  const parsed = typeof header === 'string' ? headerLine(header) : undefined;
  return parsed ? { [parsed.name]: parsed.value } : {};
}

function reportPermissions(cloud: LocalCloud, io: Io): boolean {
  const { denied, unused } = checkPermissions(cloud.assembly, cloud.physical, cloud.calls);
  io.out(`\nAWS calls: ${cloud.calls.length}, checked against each function's role.`);
  for (const call of denied) io.out(`  FAIL denied: ${call.function} ${call.action} on ${call.resources.join(', ')}`);
  for (const grant of unused) io.out(`  granted, not used in this run: ${grant.function} ${grant.action} on ${grant.resource}`);
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
