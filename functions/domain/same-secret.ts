/** The one way the driver compares a secret it was given with the one it expects. */
import { crypto } from '../runtime/builtins.ts';

const { createHash, timingSafeEqual } = crypto;

/** Constant-time over digests, so neither the content nor the length of a secret leaks. */
export function sameSecret(presented: string | Uint8Array, expected: string | Uint8Array): boolean {
  const digest = (secret: string | Uint8Array) => createHash('sha256').update(secret).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
