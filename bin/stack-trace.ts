/** `npm run stack-trace -- <function> [--dir <bundle dir>] < stack.txt`: see lib/operator/stack-trace.ts. */
import { text } from 'node:stream/consumers';
import { runStackTrace } from '../lib/operator/stack-trace.ts';

process.exitCode = await runStackTrace(process.argv.slice(2), {
  input: () => text(process.stdin),
  out: (mapped) => console.log(mapped),
  err: (line) => console.error(line),
});
