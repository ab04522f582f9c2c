/**
 * `npm run bench:faults -- [--seed N] [--seconds S] [--clients C]`: v2 directives at most once under faults,
 * on the deployed assembly (test/bench/faults/run.ts). Prints what was sent and injected and what the check
 * found; exits 1 on any violation, 2 on a usage error. The same seed draws the same operations and faults.
 */
import { goal, settle } from './goals.ts';

const USAGE = `usage: npm run bench:faults -- [--seed N] [--seconds S] [--clients C]

Synthesizes the stack with an http device cloud and runs its v2 function as deployed, in a pool of execution
environments, while concurrent clients send Controls (Set, Adjust both ways, Switch), resends and ReportStates
for S seconds (default 60), with DynamoDB errors, latency and lost answers, device-cloud error statuses,
timeouts and slow answers, and invocations killed between their calls. The faults then stop, every message
still unanswered is resent, and the history is checked: no messageId acts twice, every confirmed Response is
applied once and as asked, nothing is applied after a definite error, the final state is explained, no 5xx.
Exits 1 on any violation. Seed default 1; C default 6.`;

/** `--name value` pairs of whole numbers; --help answers at once, anything else is refused with exit 2. */
function readFaultArgs(argv: string[]): { seed: number; seconds: number; clients: number } {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const args = { seed: 1, seconds: 60, clients: 6 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!.slice(2);
    const value = Number(argv[i + 1]);
    if (!argv[i]!.startsWith('--') || !(name in args) || !Number.isInteger(value) || value < (name === 'seed' ? 0 : 1)) {
      console.error(`Not understood: ${argv.slice(i, i + 2).join(' ')}\n\n${USAGE}`);
      process.exit(2);
    }
    args[name as keyof typeof args] = value;
  }
  return args;
}

const { seed, seconds, clients } = readFaultArgs(process.argv.slice(2));
// Loaded once the arguments are read: the harness is slow to import, and --help or a usage error needs none of it.
const [{ runFaults }, { summarize }] = await Promise.all([import('./faults/run.ts'), import('./faults/summary.ts')]);
console.log(`bench:faults: seed ${seed}, ${seconds} s of faults, ${clients} clients; synthesizing the stack…`);
const run = await runFaults({ seed, seconds, clients });
console.log(summarize(run, seed).join('\n'));
goal('violations (all kinds)', run.verdict.violations.length, 'max', 0, 'violations');
goal('invocations killed and resent', run.kills, 'min', 1, 'kills');
settle(`v2 directives under faults (npm run bench:faults -- --seed ${seed} --seconds ${seconds})`);
