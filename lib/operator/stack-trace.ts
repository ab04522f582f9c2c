/**
 * `npm run stack-trace -- <function> [--dir <bundle dir>]`: names the source file, line and column of
 * each place in a logged stack trace.
 *
 * The functions run without `--enable-source-maps`, which made every cold start read and parse the
 * bundle's maps (see lib/functions.ts). So a logged stack names places in the minified `index.mjs` and
 * its chunks. The maps are beside them in the deployed code, and the build is reproducible: built again
 * at the deployed commit, a function's bundle and maps are the deployed ones, chunk names included.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, ROOT } from '../bundling.ts';
import { FUNCTIONS, type FunctionName } from '../functions.ts';

/** A place in a bundle file, as V8 writes it: `/var/task/chunks/chunk-X.mjs:1:2345`, `file://` or not. */
const PLACE = /(?:file:\/\/)?(?:\/[^\s():]*?\/)?((?:chunks\/)?[\w.-]+\.mjs):(\d+):(\d+)/g;

/** The stack of a JSON log line (Powertools writes `error.stack`), or the text itself. */
export function stackOf(text: string): string {
  const stacks: string[] = [];
  for (const line of text.split('\n')) {
    try {
      const entry = JSON.parse(line) as { error?: { stack?: unknown } };
      if (typeof entry.error?.stack === 'string') stacks.push(entry.error.stack);
    } catch {
      // not a log line: the text is read as a stack as it is
    }
  }
  return stacks.length > 0 ? stacks.join('\n\n') : text;
}

/** Rewrites each place in `stack` that a map in `bundleDir` covers; the others stay as they are. */
export async function mapStackTrace(stack: string, bundleDir: string): Promise<string> {
  const maps = new Map<string, SourceMap | undefined>();
  for (const [, file] of stack.matchAll(PLACE)) {
    if (maps.has(file!)) continue;
    const path = join(bundleDir, `${file}.map`);
    maps.set(file!, existsSync(path) ? new SourceMap(JSON.parse(await readFile(path, 'utf8'))) : undefined);
  }
  return stack.replace(PLACE, (place, file: string, line: string, column: string) => {
    const entry = maps.get(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return place;
    // Sources are written relative to the map; the repository's are shown from its root.
    const source = relative(ROOT, resolve(dirname(join(bundleDir, file)), entry.originalSource));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** What --help adds to the usage line. */
export const DESCRIPTION = `Reads a stack trace a deployed function logged (the text, or its JSON log lines) on stdin, and prints it
with each place in the minified bundle (index.mjs:1:2345, chunks/chunk-X.mjs:…) named as the source file, line and
column it came from. The function's bundle is built again here with the stack's own esbuild settings, so run it
at the commit that was deployed; or give --dir, a directory holding the deployed bundle and its .map files.
Places no map covers are left as they are.

Example: npm run stack-trace -- directive < error.log`;

export async function runStackTrace(
  args: string[],
  io: { input: () => Promise<string>; out: (text: string) => void; err: (line: string) => void },
): Promise<number> {
  const [name, ...rest] = args;
  const dirAt = rest.indexOf('--dir');
  const dir = dirAt >= 0 ? rest[dirAt + 1] : undefined;
  const usage = `usage: npm run stack-trace -- <${Object.keys(FUNCTIONS).join('|')}> [--dir <bundle dir>] < stack.txt`;
  // Asked for, the usage is an answer (exit 0); given for a mistake, it is an error (exit 2).
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${usage}\n\n${DESCRIPTION}`);
    return 0;
  }
  if (!name || !Object.hasOwn(FUNCTIONS, name) || (dirAt >= 0 && !dir)) {
    io.err(usage);
    return 2;
  }
  const stack = stackOf(await io.input());
  if (dir) {
    io.out(await mapStackTrace(stack, dir));
    return 0;
  }
  // Built as the stack builds it; the maps match the deployed code when this checkout is its commit.
  const built = await mkdtemp(join(tmpdir(), 'homebase-stack-'));
  try {
    await build(esbuildOptions(FUNCTIONS[name as FunctionName], built));
    io.out(await mapStackTrace(stack, built));
    return 0;
  } finally {
    await rm(built, { recursive: true, force: true });
  }
}
