/** `npm run conformance -- <base-url> …`: see lib/conformance/ and docs/conformance.md. */
import { parseConformanceArgs, USAGE, UsageError } from '../lib/conformance/args.ts';
import { UnreachableError } from '../lib/conformance/driver-client.ts';
import { humanReport } from '../lib/conformance/report.ts';
import { runConformance } from '../lib/conformance/run.ts';

let parsed: ReturnType<typeof parseConformanceArgs>;
try {
  parsed = parseConformanceArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const { options, json } = parsed;
// A progress line while it runs, for a person at a terminal only.
const progress = !json && process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[2K${line}`) : undefined;
try {
  const report = await runConformance(options, progress);
  if (progress) process.stderr.write('\r\x1b[2K');
  console.log(json ? JSON.stringify(report, null, 2) : humanReport(report).join('\n'));
  process.exitCode = report.failed > 0 ? 1 : 0;
} catch (error) {
  if (progress) process.stderr.write('\r\x1b[2K');
  if (!(error instanceof UnreachableError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
