/**
 * `npm run rhome-check`'s command line: help, usage errors, a missing rhome, and `--rhome` winning over a copy an
 * earlier run installed. rhome itself is not run here (test/conformance runs it against the driver).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRhome, rhomeCacheOf } from '../../lib/operator/rhome.ts';
import { locateRhome, RHOME_CHECK_USAGE, RhomeNotFoundError } from '../../lib/operator/rhome-args.ts';

const run = promisify(execFile);

async function cli(...args: string[]) {
  return run(process.execPath, ['bin/rhome-check.ts', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'homebase-rhome-cli-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The little of an rhome checkout that finding and preparing it touch. */
async function fakeRhome(dir: string, marker: string) {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'jsonschema'), { recursive: true });
  await writeFile(join(dir, 'bin', 'rhome.js'), '');
  await writeFile(join(dir, 'marker.txt'), marker);
  const write = (name: string, schema: unknown) => writeFile(join(dir, 'jsonschema', name), JSON.stringify(schema));
  await write('v2-endpoint.json', { properties: {} });
  await write('v2-definitions.json', { definitions: { interface: { enum: [] }, displayType: { enum: [] } } });
  await write('v2-header.json', { properties: { namespace: { enum: [] }, authorization: { properties: { type: { enum: [] } } } } });
}

describe('npm run rhome-check', () => {
  it.each(['--help', '-h'])('%s describes the command and exits 0', async (flag) => {
    const { code, stdout } = await cli(flag);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(RHOME_CHECK_USAGE);
    expect(stdout).toContain("Runs Rokid's own v2 client, rhome 2.0.8, against a driver");
  });

  it('an unknown option prints the problem and the usage, and exits 2 without a stack', async () => {
    const { code, stderr } = await cli('--bogus');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Unknown option '--bogus'/);
    expect(stderr).toContain(RHOME_CHECK_USAGE);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a --rhome that holds no rhome is named, and exits 2 without a stack', async () => {
    const missing = join(root, 'no-rhome-here');
    const { code, stderr } = await cli('--rhome', missing);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      `rhome 2.0.8 was not found (a directory with bin/rhome.js and jsonschema/). Looked in:\n  ${missing} (--rhome)\nClone github.com/Rokid/rokid-homebase-cli at v2.0.8 and pass --rhome <dir>.`,
    );
  });
});

describe('where rhome is found', () => {
  it('with no --rhome and no default checkout, the error names the default and the cached copy', () => {
    const source = join(root, 'default-gone');
    const cache = rhomeCacheOf(source, root);
    expect(() => locateRhome(undefined, { source, cacheRoot: root })).toThrow(
      new RhomeNotFoundError([`${source} (the default)`, `${cache} (a copy an earlier run installed)`]),
    );
  });

  it('an installed copy of the default checkout runs when the checkout is gone', async () => {
    const source = join(root, 'default-removed');
    const cache = rhomeCacheOf(source, root);
    await fakeRhome(cache, 'cached');
    await mkdir(join(cache, 'node_modules'), { recursive: true });
    expect(locateRhome(undefined, { source, cacheRoot: root })).toEqual({ source, cached: true });
  });

  it('--rhome always wins: its files are copied over a copy an earlier run installed', async () => {
    const source = join(root, 'checkout');
    await fakeRhome(source, 'from the checkout');
    const cache = rhomeCacheOf(source, root);
    await fakeRhome(cache, 'an older copy');
    await mkdir(join(cache, 'node_modules', 'jsonwebtoken'), { recursive: true });
    expect(locateRhome(source)).toEqual({ source, cached: false });
    expect(await prepareRhome(source, () => undefined, root)).toBe(cache);
    expect(await readFile(join(cache, 'marker.txt'), 'utf8')).toBe('from the checkout');
    // Another checkout gets a copy of its own, never this one.
    expect(rhomeCacheOf(join(root, 'another'), root)).not.toBe(cache);
  });
});
