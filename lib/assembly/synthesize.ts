/** `cdk synth` as `cdk deploy` runs it (bundling on), into a folder of the caller's, with the given context. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../bundling.ts';

export async function synthesize(context: Record<string, string>, outDir: string): Promise<void> {
  const args = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  // The CLI through the Node running this (24), and the app through the project's `node` on PATH, as npm runs them.
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet', ...args, '-o', outDir], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`, CI: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
}
