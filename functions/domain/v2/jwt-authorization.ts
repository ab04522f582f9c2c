/**
 * Rokid's JWT authorization for the v2 protocol (RFC 7519, docs connect/rfc7519.md; the digest's section 3
 * and contradiction 17): Rokid's server signs `{userId, appId}` with the vendor-issued appSecret, HS256.
 *
 * Strict where it protects: every segment must be canonical base64url (one token, one spelling), the header
 * must say HS256 (`alg: none` and every other algorithm are refused), the signature is compared in constant
 * time, `appId` must be ours, `userId` a non-empty string of at most 128 characters taken exactly as it is
 * (no whitespace at either end, no control character, no lone surrogate: refused, never trimmed into another
 * user), and `exp`, when present, must be in the future. Tolerant where Rokid varies: `iat` and
 * `exp` are not required, and extra claims are ignored. Every refusal is the same E_INVALID_AUTHORIZATION,
 * with a reason for the logs and none of the token.
 */
import { crypto } from '../../runtime/builtins.ts';
import { InvalidAuthorizationError } from '../errors.ts';
import { sameSecret } from '../same-secret.ts';

const { createHmac } = crypto;

export interface JwtSettings {
  appId: string;
  appSecret: string;
}

/** The vendor user a valid token names. */
export interface JwtIdentity {
  userId: string;
}

const MAX_TOKEN_LENGTH = 4096;
const MAX_USER_ID_LENGTH = 128;
/** C0, DEL and C1 (Unicode's Cc), and the line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CANONICAL = 'only A-Z, a-z, 0-9, "-" and "_", no "=" padding, and a last character that encodes no bits beyond the data';

export function verifyRokidJwt(token: string, settings: JwtSettings, nowS: number): JwtIdentity {
  const refuse = (reason: string): never => {
    throw new InvalidAuthorizationError(`The JWT authorization is not valid: ${reason}.`, { debugInfo: reason });
  };
  if (token.length > MAX_TOKEN_LENGTH) refuse('the token is too long');
  const parts = token.split('.');
  if (parts.length !== 3) refuse('expected three dot-separated parts');
  const [encodedHeader = '', encodedClaims = '', signature = ''] = parts;
  const header = decodeObject(segment(encodedHeader, 'header', refuse)) ?? refuse('the header is not a base64url JSON object');
  // Pinned: the algorithm the token names is never what decides how it is checked.
  if (header['alg'] !== 'HS256') refuse(`the algorithm must be HS256, not ${JSON.stringify(header['alg'] ?? null).slice(0, 20)}`);
  const signed = segment(signature, 'signature', refuse);
  const expected = createHmac('sha256', settings.appSecret).update(`${encodedHeader}.${encodedClaims}`).digest();
  if (!sameSecret(signed, expected)) refuse('the signature does not match');
  const claims = decodeObject(segment(encodedClaims, 'claims', refuse)) ?? refuse('the claims are not a base64url JSON object');
  if (claims['appId'] !== settings.appId) refuse('the appId is not this driver’s');
  const userId = claims['userId'];
  if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_LENGTH) {
    refuse(`userId must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`);
  }
  const problem = userIdProblem(userId as string);
  if (problem) refuse(problem);
  const exp = claims['exp'];
  if (exp !== undefined && (typeof exp !== 'number' || exp <= nowS)) refuse('the token has expired');
  return { userId: userId as string };
}

/** The segment's bytes, where it is canonical base64url: anything else would let one token be spelled many ways. */
function segment(part: string, name: string, refuse: (reason: string) => never): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (!/^[A-Za-z0-9_-]*$/.test(part) || bytes.toString('base64url') !== part)
    refuse(`the ${name} is not canonical base64url (${CANONICAL})`);
  return bytes;
}

function userIdProblem(userId: string): string | undefined {
  const control = CONTROL.exec(userId)?.[0];
  if (control !== undefined) {
    return `userId must have no control character (U+0000-U+001F, U+007F-U+009F, U+2028, U+2029), and it has ${codePoint(control)}`;
  }
  if (/^\s|\s$/u.test(userId)) return 'userId must not begin or end with whitespace: it is taken as it is, never trimmed';
  const lone = LONE_SURROGATE.exec(userId)?.[0];
  if (lone !== undefined) return `userId must be well-formed Unicode, and it has a lone surrogate ${codePoint(lone)}`;
  return undefined;
}

const codePoint = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** JSON is UTF-8 (RFC 8259): bytes that are not would otherwise decode leniently, two spellings to one userId. */
function decodeObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
