/** `npm run rhome-check [-- --rhome <dir>]`: Rokid's rhome 2.0.8 against a local driver (lib/operator/rhome-check.ts). */
import { parseArgs } from 'node:util';

// The handlers' request lines would bury the report; warnings and errors still show. Set before they load.
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
const { runRhomeCheck } = await import('../lib/operator/rhome-check.ts');
const { DOCS_ADDITIONS } = await import('../lib/operator/rhome.ts');

const { values } = parseArgs({ options: { rhome: { type: 'string', default: '../shared/rhome-2.0.8' } } });
console.log(`rhome 2.0.8 from ${values.rhome}, its schemas brought up to the docs:\n${DOCS_ADDITIONS.map((a) => `  + ${a}`).join('\n')}\n`);
const steps = await runRhomeCheck({ source: values.rhome, log: (line) => console.error(line) });
for (const s of steps) console.log(`${s.ok ? '✓' : '✗'} ${s.session.padEnd(6)} ${s.step}\n    ${s.detail}`);
const failed = steps.filter((s) => !s.ok).length;
console.log(`\n${steps.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
