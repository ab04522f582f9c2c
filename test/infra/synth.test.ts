/**
 * `npm run synth` works on a clean machine (no AWS credentials, no AWS config, no network), and writes
 * one asset per function, each holding that function: CDK's bundling cache once gave all of them the
 * first function's build.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { driverFunctionOf, readAssembly, resourcesOfType } from '../../lib/assembly/template.ts';
import { ROOT } from '../../lib/bundling.ts';
import { FUNCTIONS } from '../../lib/functions.ts';

it('npm run synth succeeds offline and writes one asset per function, each exporting its own handler', { timeout: 120_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'synth-home-'));
  try {
    const out = join(home, 'cdk.out');
    await promisify(execFile)('npm', ['run', 'synth', '--', '-o', out], {
      cwd: ROOT,
      // Only what npm needs: no AWS_* variables, and a HOME without ~/.aws.
      env: { PATH: process.env['PATH'], HOME: home, CI: 'true' },
    });
    const assembly = await readAssembly(out);
    const functions = resourcesOfType(assembly, 'AWS::Lambda::Function');
    const assets = functions.map(([, fn]) => fn.Properties?.['Code'].S3Key as string);
    expect(new Set(assets).size).toBe(functions.length);
    // Every asset exports `handler`, so only the factory export tells which function it holds.
    const held = await Promise.all(assets.map((key) => driverFunctionOf(assembly.assetDir(key))));
    expect(held.sort()).toEqual(Object.keys(FUNCTIONS).sort());
    for (const [id, fn] of functions) {
      expect(fn.Properties?.['Handler'], id).toBe('index.handler');
      expect(id.toLowerCase()).toContain(String(await driverFunctionOf(assembly.assetDir(fn.Properties?.['Code'].S3Key))).toLowerCase());
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
