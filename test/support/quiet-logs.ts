/**
 * A passing test prints nothing it did not ask for. The driver's own log lines (Powertools' JSON, the
 * EMF metric lines) go straight to stdout, past vitest's console capture: here they are held back while
 * a test runs and printed only if it fails, where they help. A test that reads the logs spies on
 * stdout itself (test/support/output.ts) and sees every line, since its spy stands in front of this.
 */
import { beforeEach } from 'vitest';

let held: { write: (text: string) => boolean; text: string }[] = [];

const isDriverLog = (text: string) => text.startsWith('{"level":') || text.startsWith('{"_aws":');

// Powertools writes INFO and metrics to stdout, WARN and ERROR to stderr.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (!isDriverLog(text)) return write(chunk, ...rest);
    held.push({ write, text });
    return true;
  }) as typeof stream.write;
}

beforeEach(({ onTestFailed }) => {
  held = [];
  onTestFailed(() => {
    for (const { write, text } of held) write(text);
  });
});
