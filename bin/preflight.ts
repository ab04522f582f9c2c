/** `npm run preflight -- [-c key=value ...] [--app DIR] [--serve]`: see lib/assembly/preflight.ts and docs/operations.md. */
import { runPreflight } from '../lib/assembly/preflight.ts';

try {
  process.exitCode = await runPreflight(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) });
} catch (error) {
  console.error(`npm run preflight failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
