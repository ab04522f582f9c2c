import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeyFileContents } from '../../functions/adapters/crypto/file-data-keys.ts';

/**
 * The master key that seals vendor credentials locally: kept in the data directory, created on first
 * start, and readable by its owner only. Without a data directory, a key for this run alone.
 */
export async function localKeyFile(dataDir: string | undefined): Promise<{ path: string; discard: () => Promise<void> }> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'homebase-driver-')));
  const path = join(dir, 'credentials.key');
  await writeFile(path, newKeyFileContents(), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return { path, discard: async () => (dataDir ? undefined : rm(dir, { recursive: true, force: true })) };
}
