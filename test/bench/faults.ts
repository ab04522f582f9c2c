/**
 * `npm run bench:faults -- [--seed N] [--seconds S] [--clients C]`: v2 directives at most once under faults,
 * on the deployed assembly (test/bench/faults/run.ts). Prints what was sent and injected and what the check
 * found; exits 1 on any violation, 2 on a usage error. The same seed draws the same operations and faults.
 */
import { goal, settle } from './goals.ts';

const USAGE = `usage: npm run bench:faults -- [--seed N] [--seconds S] [--clients C] [--half directives|events|both]

Synthesizes the stack with an http device cloud and runs its v2 function as deployed, in a pool of execution
environments, while concurrent clients send Controls (Set, Adjust both ways, Switch), resends and ReportStates
for S seconds (default 60), with DynamoDB errors, latency and lost answers, device-cloud error statuses,
timeouts and slow answers, and invocations killed between their calls. The faults then stop, every message
still unanswered is resent, and the history is checked: no messageId acts twice, every confirmed Response is
applied once and as asked, nothing is applied after a definite error, the final state is explained, no 5xx.
At the same time, on an assembly with state reports on, a device cloud reports changes to the webhook while
Rokid's gateway answers 5xx, 401, 403 or nothing, DynamoDB and the device cloud fail and slow down, and the
webhook's and the consumer's invocations are killed between calls; then every acknowledged event must have
reached the gateway in order per (endpoint, interface), unless superseded, a ghost, or its grant ended.
Each half alone with --half (default both, at once). Exits 1 on any violation. Seed default 1; C default 6.`;

/** `--name value` pairs of whole numbers; --help answers at once, anything else is refused with exit 2. */
const HALVES = ['directives', 'events', 'both'] as const;
type Half = (typeof HALVES)[number];

function readFaultArgs(argv: string[]): { seed: number; seconds: number; clients: number; half: Half } {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const args = { seed: 1, seconds: 60, clients: 6 };
  let half: Half = 'both';
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!.slice(2);
    if (argv[i] === '--half' && HALVES.includes(argv[i + 1] as Half)) {
      half = argv[i + 1] as Half;
      continue;
    }
    const value = Number(argv[i + 1]);
    if (!argv[i]!.startsWith('--') || !(name in args) || !Number.isInteger(value) || value < (name === 'seed' ? 0 : 1)) {
      console.error(`Not understood: ${argv.slice(i, i + 2).join(' ')}\n\n${USAGE}`);
      process.exit(2);
    }
    args[name as keyof typeof args] = value;
  }
  return { ...args, half };
}

const { seed, seconds, clients, half } = readFaultArgs(process.argv.slice(2));
// Loaded once the arguments are read: the harness is slow to import, and --help or a usage error needs none of it.
const [{ runFaults }, { summarize }, { runEventFaults }, { summarizeEvents }] = await Promise.all([
  import('./faults/run.ts'),
  import('./faults/summary.ts'),
  import('./faults/events.ts'),
  import('./faults/event-summary.ts'),
]);
console.log(`bench:faults: seed ${seed}, ${seconds} s of faults, ${clients} clients, ${half}; synthesizing the stack…`);
// The two halves at once, each on an assembly of its own: directives, and state reports.
const [run, events] = await Promise.all([
  half === 'events' ? undefined : runFaults({ seed, seconds, clients }),
  half === 'directives' ? undefined : runEventFaults({ seed, seconds }),
]);
if (run) {
  console.log(summarize(run, seed).join('\n'));
  goal('violations (all kinds)', run.verdict.violations.length, 'max', 0, 'violations');
  goal('invocations killed and resent', run.kills, 'min', 1, 'kills');
}
if (events) {
  console.log(['', 'State reports:', ...summarizeEvents(events)].join('\n'));
  goal(
    'state reports: violations (lost, backwards, contradicted, ghosts sent, duplicates over 1 %)',
    events.verdict.violations.length,
    'max',
    0,
    'violations',
  );
  goal('state reports: invocations killed', events.kills, 'min', 1, 'kills');
}
settle(
  `${half === 'events' ? 'state reports' : half === 'directives' ? 'v2 directives' : 'v2 directives and state reports'} under faults (npm run bench:faults -- --seed ${seed} --seconds ${seconds} --half ${half})`,
);
