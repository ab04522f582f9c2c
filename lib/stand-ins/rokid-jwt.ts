/**
 * A JWT as Rokid's server signs one for v2's JWT authorization (RFC 7519; docs connect/rfc7519.md): `{userId,
 * appId}` signed with the vendor's appSecret, HS256, as jsonwebtoken writes it. For the places that stand in
 * for Rokid: the conformance CLI, the playground's JWT sign-in, and the tests. Written apart from the driver's
 * verifier (functions/domain/v2/jwt-authorization.ts), so the one can catch the other out.
 */
import { createHmac } from 'node:crypto';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token, signed with `secret` (HS256 unless `header` names another algorithm; the signature is HS256's either way). */
export function signRokidJwt(claims: unknown, secret: string, header: unknown = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The same claims with `alg: "none"` and no signature: what a driver that checks nothing would take. */
export const unsignedRokidJwt = (claims: unknown): string => `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
