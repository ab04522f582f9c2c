/**
 * The embedded DynamoDB in a child process: on its own core, as the real service would be on its
 * own machines, so the benchmark measures the driver's work and not dynalite's share of one thread.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

// Run as a child (`--serve`), this file starts the engine and prints its endpoint for the parent.
if (process.argv[2] === '--serve') {
  const { startDynamoDB } = await import('../../lib/local/dynamodb.ts');
  const { endpoint } = await startDynamoDB();
  console.log(endpoint);
}

export async function startDynamoDBProcess(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    endpoint: chunk.toString().trim(),
    close: async () => {
      child.kill();
      await once(child, 'exit');
    },
  };
}
