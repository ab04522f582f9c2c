import { crypto } from '../../runtime/builtins.ts';

const { createHash, randomBytes, timingSafeEqual } = crypto;

/**
 * Driver-issued tokens: `<kind>.<linkId>.<secret>`. The link id lets the vault find the link with one
 * read; the 256-bit secret is what proves possession. Only a SHA-256 of the whole token is stored:
 * a random 256-bit secret needs no slow hash, and a stolen table yields no usable token.
 */
export type TokenKind = 'hbu' | 'hbr';

export const newLinkId = (): string => randomBytes(16).toString('base64url');

/** 256 random bits, URL-safe: the secret part of every token, state and code the driver hands out. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

export function mintToken(kind: TokenKind, linkId: string): { token: string; hash: string } {
  const token = `${kind}.${linkId}.${randomSecret()}`;
  return { token, hash: hashToken(token) };
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Link ids are 16 random bytes in base64url; anything else never reaches a table key. */
const LINK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The link id a token names, or undefined if the token is not one of ours. */
export function linkIdOf(kind: TokenKind, token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== kind || !parts[2] || !LINK_ID.test(parts[1] ?? '')) return undefined;
  return parts[1];
}

/** Constant-time: a mismatch takes as long to detect wherever it is. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(token).digest();
  const stored = Buffer.from(storedHash, 'base64url');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/** A one-time code for OAuthGetToken: random, shown once, stored as its hash. */
export const mintCode = (): { code: string; hash: string } => {
  const code = `hbc.${randomSecret()}`;
  return { code, hash: hashToken(code) };
};
