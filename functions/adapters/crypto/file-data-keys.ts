/**
 * Data keys for local runs: wrapped with AES-256-GCM under a master key read from a file
 * (CREDENTIALS_KEY_FILE, which `npm start` creates in its data directory on first start).
 */
import { crypto } from '../../runtime/builtins.ts';
import type { DataKeyProvider } from './envelope-cipher.ts';

const { createCipheriv, createDecipheriv, randomBytes } = crypto;
const fs = process.getBuiltinModule('node:fs/promises');

export function fileDataKeys(keyFile: string): DataKeyProvider {
  let master: Promise<Buffer> | undefined;
  const masterKey = () => {
    master ??= fs.readFile(keyFile, 'utf8').then((text) => {
      const key = Buffer.from(text.trim(), 'base64');
      if (key.length !== 32) throw new Error(`${keyFile} does not hold a 256-bit key in base64`);
      return key;
    });
    return master;
  };
  return {
    async generate() {
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await masterKey(), iv);
      const wrapped = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return { plaintext, wrapped };
    },
    async unwrap(wrapped) {
      const decipher = createDecipheriv('aes-256-gcm', await masterKey(), wrapped.subarray(0, 12));
      decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
      return Buffer.concat([decipher.update(wrapped.subarray(12, wrapped.length - 16)), decipher.final()]);
    },
  };
}

/** A new master key, as the contents of a key file. */
export const newKeyFileContents = (): string => `${randomBytes(32).toString('base64')}\n`;
