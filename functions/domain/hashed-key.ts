/**
 * A table key made of several values, hashed. Each part is written with its length before it, so no two
 * lists of parts hash alike: joining with a separator (`a\0b`) let ("a\0", "b") and ("a", "\0b") collide, and a
 * userId may hold any character. Used by v2's replies, the event intake's seen ids and delivery's positions.
 */
import { crypto } from '../runtime/builtins.ts';

export function hashedKey(...parts: string[]): string {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:`).update(part);
  return hash.digest('base64url');
}
