/**
 * `npm run bench:faults -- [--seed N] [--seconds S] [--clients C]`: v2 directives at most once under faults,
 * on the deployed assembly (test/bench/faults/run.ts). Prints what was sent and injected and what the check
 * found; exits 1 on any violation, 2 on a usage error. The same seed draws the same operations and faults.
 */
import { goal, settle } from './goals.ts';
import { runFaults } from './faults/run.ts';
import { summarize } from './faults/summary.ts';

const USAGE = `usage: npm run bench:faults -- [--seed N] [--seconds S] [--clients C]

Synthesizes the stack with an http device cloud and runs its v2 function as deployed, in a pool of execution
environments, while concurrent clients send Controls (Set, Adjust both ways, Switch), resends and ReportStates
for S seconds (default 60), with DynamoDB errors, latency and lost answers, device-cloud error statuses,
timeouts and slow answers, and invocations killed between their calls. The faults then stop, every message
still unanswered is resent, and the history is checked: no messageId acts twice, every confirmed Response is
applied once and as asked, nothing is applied after a definite error, the final state is explained, no 5xx.
Exits 1 on any violation. Seed default 1; C default 6.`;

function readArgs(argv: string[]): { seed: number; seconds: number; clients: number } {
  const args = { seed: 1, seconds: 60, clients: 6 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!(name in args) || !argv[i]!.startsWith('--') || !Number.isInteger(value) || value < (name === 'seed' ? 0 : 1)) {
      console.error(`${argv[i] === '--help' || argv[i] === '-h' ? '' : `Not understood: ${argv.slice(i, i + 2).join(' ')}\n\n`}${USAGE}`);
      process.exit(argv[i] === '--help' || argv[i] === '-h' ? 0 : 2);
    }
    args[name as keyof typeof args] = value;
  }
  return args;
}

const { seed, seconds, clients } = readArgs(process.argv.slice(2));
console.log(`bench:faults: seed ${seed}, ${seconds} s of faults, ${clients} clients; synthesizing the stack…`);
const run = await runFaults({ seed, seconds, clients });
console.log(summarize(run, seed).join('\n'));
goal('violations (all kinds)', run.verdict.violations.length, 'max', 0, 'violations');
goal('invocations killed and resent', run.kills, 'min', 1, 'kills');
settle(`v2 directives under faults (npm run bench:faults -- --seed ${seed} --seconds ${seconds})`);
