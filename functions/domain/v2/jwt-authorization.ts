/**
 * Rokid's JWT authorization for the v2 protocol (RFC 7519, docs connect/rfc7519.md; the digest's section 3
 * and contradiction 17): Rokid's server signs `{userId, appId}` with the vendor-issued appSecret, HS256.
 *
 * Strict where it protects: the header must say HS256 (`alg: none` and every other algorithm are refused),
 * the signature is compared in constant time, `appId` must be ours, `userId` a non-empty string of at most
 * 128 characters, and `exp`, when present, must be in the future. Tolerant where Rokid varies: `iat` and
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

export function verifyRokidJwt(token: string, settings: JwtSettings, nowS: number): JwtIdentity {
  const refuse = (reason: string): never => {
    throw new InvalidAuthorizationError(`The JWT authorization is not valid: ${reason}.`, { debugInfo: reason });
  };
  if (token.length > MAX_TOKEN_LENGTH) refuse('the token is too long');
  const parts = token.split('.');
  if (parts.length !== 3) refuse('expected three dot-separated parts');
  const [encodedHeader = '', encodedClaims = '', signature = ''] = parts;
  const header = decodeObject(encodedHeader) ?? refuse('the header is not a base64url JSON object');
  // Pinned: the algorithm the token names is never what decides how it is checked.
  if (header['alg'] !== 'HS256') refuse(`the algorithm must be HS256, not ${JSON.stringify(header['alg'] ?? null).slice(0, 20)}`);
  const expected = createHmac('sha256', settings.appSecret).update(`${encodedHeader}.${encodedClaims}`).digest();
  if (!sameSecret(Buffer.from(signature, 'base64url'), expected)) refuse('the signature does not match');
  const claims = decodeObject(encodedClaims) ?? refuse('the claims are not a base64url JSON object');
  if (claims['appId'] !== settings.appId) refuse('the appId is not this driver’s');
  const userId = claims['userId'];
  if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_LENGTH) {
    refuse(`userId must be a string of 1 to ${MAX_USER_ID_LENGTH} characters`);
  }
  const exp = claims['exp'];
  if (exp !== undefined && (typeof exp !== 'number' || exp <= nowS)) refuse('the token has expired');
  return { userId: userId as string };
}

function decodeObject(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
