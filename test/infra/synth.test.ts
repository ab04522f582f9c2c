/** `npm run synth` works on a clean machine: no AWS credentials, no AWS config, no network. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../../lib/bundling.ts';

it('npm run synth succeeds offline and writes the template with bundled functions', { timeout: 120_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'synth-home-'));
  try {
    const out = join(home, 'cdk.out');
    await promisify(execFile)('npm', ['run', 'synth', '--', '-o', out], {
      cwd: ROOT,
      // Only what npm needs: no AWS_* variables, and a HOME without ~/.aws.
      env: { PATH: process.env['PATH'], HOME: home, CI: 'true' },
    });
    const template = JSON.parse(await readFile(join(out, 'HomebaseDriver.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(4);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
