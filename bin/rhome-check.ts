/** `npm run rhome-check [-- --rhome <dir>]`: Rokid's rhome 2.0.8 against a local driver (lib/operator/rhome-check.ts). */
import { locateRhome, parseRhomeCheckArgs, RHOME_CHECK_USAGE, RhomeNotFoundError } from '../lib/operator/rhome-args.ts';

const command = parseRhomeCheckArgs(process.argv.slice(2));
if (command.kind === 'help') {
  console.log(RHOME_CHECK_USAGE);
  process.exit(0);
}
if (command.kind === 'usage') {
  console.error(`${command.problem}\n\n${RHOME_CHECK_USAGE}`);
  process.exit(2);
}
let found: ReturnType<typeof locateRhome>;
try {
  found = locateRhome(command.rhome);
} catch (error) {
  if (!(error instanceof RhomeNotFoundError)) throw error;
  console.error(error.message);
  process.exit(2);
}

// The handlers' request lines would bury the report; warnings and errors still show. Set before they load.
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
const { runRhomeCheck } = await import('../lib/operator/rhome-check.ts');
const { DOCS_ADDITIONS } = await import('../lib/operator/rhome.ts');

const from = found.cached ? `a copy an earlier run installed from ${found.source} (that checkout is gone)` : found.source;
console.log(`rhome 2.0.8 from ${from}, its schemas brought up to the docs:\n${DOCS_ADDITIONS.map((a) => `  + ${a}`).join('\n')}\n`);
const steps = await runRhomeCheck({ source: found.source, log: (line) => console.error(line) });
for (const s of steps) console.log(`${s.ok ? '✓' : '✗'} ${s.session.padEnd(6)} ${s.step}\n    ${s.detail}`);
const failed = steps.filter((s) => !s.ok).length;
console.log(`\n${steps.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
