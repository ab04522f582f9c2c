/** Everything written to stdout and stderr while capturing (Powertools writes warnings and errors to stderr). */
import { vi } from 'vitest';

export function captureOutput() {
  const written: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return {
    written,
    /** Each line written, parsed as JSON. */
    entries: () => written.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, any>),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
