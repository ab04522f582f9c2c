/**
 * `npm run stack-trace`: places in minified bundles, as a function's log names them, back to the
 * sources, through the maps of a build made with the stack's own esbuild settings.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions, ROOT } from '../../lib/bundling.ts';
import { FUNCTIONS } from '../../lib/functions.ts';
import { DESCRIPTION, mapStackTrace, runStackTrace, stackOf } from '../../lib/operator/stack-trace.ts';

const run = promisify(execFile);
const FIXTURE = 'test/support/stack-fixture';
let dir: string;
/** The stack of the fixture's failure, as a function would log it: places in the minified bundle. */
let stack: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'homebase-stack-test-'));
  await build(esbuildOptions(`${FIXTURE}/entry.ts`, dir));
  const script = `import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)}).then((m) => m.handler()).catch((e) => console.log(e.stack))`;
  ({ stdout: stack } = await run(process.execPath, ['--input-type=module', '-e', script]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(args: string[], input: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStackTrace(args, { input: async () => input, out: (text) => out.push(text), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mapStackTrace', () => {
  it('names the source file and line of each place, in the entry and in a chunk', async () => {
    expect(stack).toMatch(/exploded on the fixture\n\s+at \S+ \(file:\/\/\S+\/chunks\/deep-\w+\.mjs:\d+:\d+\)/);
    expect(stack).not.toContain('.ts:');

    const mapped = await mapStackTrace(stack, dir);
    const places = [...mapped.matchAll(/\((\S+\.ts):(\d+):\d+\)/g)].map(([, file, line]) => `${file}:${line}`);
    // The throw, the call of the function that throws, and the entry's call into the chunk.
    expect(places.slice(0, 3)).toEqual([`${FIXTURE}/deep.ts:7`, `${FIXTURE}/deep.ts:3`, `${FIXTURE}/entry.ts:4`]);
  });

  it('leaves places it has no map for as they are', async () => {
    const other = 'at Module._compile (node:internal/modules/cjs/loader:1554:14)\nat x (file:///var/task/chunks/gone-ABC.mjs:1:20)';
    await expect(mapStackTrace(other, dir)).resolves.toBe(other);
  });
});

describe('npm run stack-trace', () => {
  it('reads the stack out of a JSON log line, as Powertools writes it', async () => {
    const line = JSON.stringify({ level: 'ERROR', message: 'request failed unexpectedly', error: { name: 'Error', stack } });
    expect(stackOf(`${line}\n`)).toBe(stack);
    const { code, out } = await cli(['list', '--dir', dir], line);
    expect(code).toBe(0);
    expect(out).toContain(`(${FIXTURE}/deep.ts:7:`);
  });

  it("builds the function's bundle as the stack does, so a place in the deployed code maps without it", async () => {
    // Where the list bundle refuses an oversized body, found in a build of our own.
    const own = await mkdtemp(join(tmpdir(), 'homebase-stack-list-'));
    try {
      await build(esbuildOptions(FUNCTIONS.list, own));
      const files = ['index.mjs', ...(await readdir(join(own, 'chunks'))).map((f) => `chunks/${f}`)].filter((f) => f.endsWith('.mjs'));
      let place = '';
      for (const file of files) {
        const lines = (await readFile(join(own, file), 'utf8')).split('\n');
        const at = lines.findIndex((text) => text.includes('`The request body is '));
        if (at >= 0) place = `${file}:${at + 1}:${lines[at]!.indexOf('`The request body is ') + 1}`;
      }
      expect(place).not.toBe('');
      const source = (await readFile(join(ROOT, 'functions/http/answers.ts'), 'utf8')).split('\n');
      const line = source.findIndex((text) => text.includes('`The request body is ')) + 1;

      const { code, out } = await cli(['list'], `    at Object.before (file:///var/task/${place})`);
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`\\(functions/http/answers\\.ts:${line}:\\d+\\)`));
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it.each([
    [[], 'no function'],
    [['lists'], 'an unknown function'],
    [['list', '--dir'], '--dir without a directory'],
  ])('refuses %j (%s) with its usage', async (args) => {
    const { code, err } = await cli(args, '');
    expect(code).toBe(2);
    expect(err).toBe(
      'usage: npm run stack-trace -- <list|execute|command|directive|refresh|deviceEvents|stateReports> [--dir <bundle dir>] < stack.txt',
    );
  });

  it('answers --help with its usage and what it does on stdout, and exits 0', async () => {
    const { code, out, err } = await cli(['--help'], '');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toBe(
      `usage: npm run stack-trace -- <list|execute|command|directive|refresh|deviceEvents|stateReports> [--dir <bundle dir>] < stack.txt\n\n${DESCRIPTION}`,
    );
    expect(out).toContain('Reads a stack trace a deployed function logged');
  });
});
