/**
 * `npm run bench [-- refresh|lambda|limits ...]`: the benchmarks, each in a process of its own, all by
 * default. Arguments are read here, so `npm run bench -- --help` answers instead of starting them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES = {
  refresh: 'the refresh job: throughput and reads per link (test/bench/refresh.ts)',
  lambda: 'the Lambda bundles: sizes, cold starts, warm times (test/bench/lambda.ts)',
  limits: 'sign-in throttling under a day of guessing (test/bench/attempt-limits.ts)',
  busy: '50 actions at once on one device (test/bench/busy-device.ts)',
  events: 'state reports: latency to Rokid, an outage, the webhook (test/bench/state-reports.ts)',
  faults: 'v2 directives at most once under injected faults, as deployed (test/bench/faults.ts)',
} as const;
const FILES: Record<keyof typeof BENCHES, string> = {
  refresh: 'refresh.ts',
  lambda: 'lambda.ts',
  limits: 'attempt-limits.ts',
  busy: 'busy-device.ts',
  events: 'state-reports.ts',
  faults: 'faults.ts',
};

const USAGE = `usage: npm run bench [-- ${Object.keys(BENCHES).join('|')} ...]

Runs the benchmarks named, or all of them, one after another; each checks its goals and the command exits 1
when any missed one (2 for a usage error). Each also runs alone: npm run bench:<name> -- --help says how.

${Object.entries(BENCHES)
  .map(([name, what]) => `  ${name.padEnd(8)} ${what}`)
  .join('\n')}`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = args.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const chosen = (args.length > 0 ? args : Object.keys(BENCHES)) as (keyof typeof BENCHES)[];
let failed = false;
for (const name of chosen) {
  const file = fileURLToPath(new URL(`../test/bench/${FILES[name]}`, import.meta.url));
  const { status } = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  failed ||= status !== 0;
}
process.exitCode = failed ? 1 : 0;
