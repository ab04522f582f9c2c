/**
 * The embedded DynamoDB in a child process: on its own core, as the real service would be on its
 * own machines, so the benchmark measures the driver's work and not dynalite's share of one thread.
 */
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child-server.ts';

// Run as a child (`--serve`), this file starts the engine and prints its endpoint for the parent.
if (process.argv[2] === '--serve') {
  const { startDynamoDB } = await import('../../lib/local/dynamodb.ts');
  const { endpoint } = await startDynamoDB();
  console.log(endpoint);
}

export async function startDynamoDBProcess(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { url, close } = await startChildServer(fileURLToPath(import.meta.url));
  return { endpoint: url, close };
}
