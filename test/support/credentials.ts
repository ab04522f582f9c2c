/** Ciphers for tests: an in-memory master key, or a key file like the one `npm start` creates. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvelopeCipher } from '../../functions/adapters/crypto/envelope-cipher.ts';
import { fileDataKeys, newKeyFileContents } from '../../functions/adapters/crypto/file-data-keys.ts';

/** A key file in a fresh temporary directory. */
export function tempKeyFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'homebase-key-')), 'credentials.key');
  writeFileSync(file, newKeyFileContents(), { mode: 0o600 });
  return file;
}

export const testCipher = (keyFile = tempKeyFile()) => new EnvelopeCipher(fileDataKeys(keyFile));
