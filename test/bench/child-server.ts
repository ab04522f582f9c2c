/**
 * A server of the benchmark's world in a child process of its own, so that it does not take CPU from
 * the code being measured: the child prints its URL on its first line of output.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export async function startChildServer(script: string, args: string[] = []): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [script, '--serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: chunk.toString().trim(),
    close: async () => {
      child.kill();
      await once(child, 'exit');
    },
  };
}
