/**
 * Rokid's v2 JWT authorization: tokens as rhome 2.0.8 signs them (jsonwebtoken's HS256, with `iat`) and as
 * the docs' sample has them (no `iat`), and every way a token must be refused, each with its reason.
 */
import { describe, expect, it } from 'vitest';
import { verifyRokidJwt } from '../../functions/domain/v2/jwt-authorization.ts';
import { signJwt } from '../support/v2.ts';

const settings = { appId: 'app-123', appSecret: 'your-256-bit-secret' };
const NOW = 1_800_000_000;
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const sign = (claims: unknown, header?: unknown, secret = settings.appSecret) => signJwt(claims, secret, header);

describe('Rokid JWT authorization', () => {
  it.each([
    ['as rhome signs it, with iat', { userId: 'vendor-user-1', appId: 'app-123', iat: NOW - 10 }],
    ['as the docs show it, without iat', { appId: 'app-123', userId: 'vendor-user-1' }],
    ['with an exp still ahead and claims of its own', { userId: 'vendor-user-1', appId: 'app-123', exp: NOW + 60, extra: { a: 1 } }],
  ])('names the vendor user of a valid token %s', (_case, claims) => {
    expect(verifyRokidJwt(sign(claims), settings, NOW)).toEqual({ userId: 'vendor-user-1' });
  });

  const good = { userId: 'vendor-user-1', appId: 'app-123' };
  const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part(good)}.`;
  const tampered = (() => {
    const [header, , signature] = sign(good).split('.');
    return `${header}.${part({ ...good, userId: 'someone-else' })}.${signature}`;
  })();

  it.each([
    ['alg none, unsigned', unsigned, 'the algorithm must be HS256, not "none"'],
    ['another algorithm', sign(good, { alg: 'HS512', typ: 'JWT' }), 'the algorithm must be HS256, not "HS512"'],
    ['no algorithm', sign(good, { typ: 'JWT' }), 'the algorithm must be HS256, not null'],
    ['another secret', sign(good, undefined, 'not-the-secret'), 'the signature does not match'],
    ['claims changed after signing', tampered, 'the signature does not match'],
    ['another appId', sign({ ...good, appId: 'app-999' }), 'the appId is not this driver’s'],
    ['no userId', sign({ appId: 'app-123' }), 'userId must be a string of 1 to 128 characters'],
    ['an empty userId', sign({ ...good, userId: '' }), 'userId must be a string of 1 to 128 characters'],
    ['a numeric userId', sign({ ...good, userId: 42 }), 'userId must be a string of 1 to 128 characters'],
    ['a userId of 129 characters', sign({ ...good, userId: 'u'.repeat(129) }), 'userId must be a string of 1 to 128 characters'],
    ['an exp in the past', sign({ ...good, exp: NOW }), 'the token has expired'],
    ['an exp that is not a number', sign({ ...good, exp: 'tomorrow' }), 'the token has expired'],
    ['two parts', `${part({ alg: 'HS256' })}.${part(good)}`, 'expected three dot-separated parts'],
    ['a header that is not JSON', `bm90IGpzb24.${part(good)}.x`, 'the header is not a base64url JSON object'],
    ['claims that are a list', sign([good]), 'the claims are not a base64url JSON object'],
    ['a token of 5 KB', `${'a'.repeat(5000)}.b.c`, 'the token is too long'],
  ])('refuses %s as E_INVALID_AUTHORIZATION, saying why', (_case, token, reason) => {
    expect(() => verifyRokidJwt(token, settings, NOW)).toThrow(
      expect.objectContaining({ errorName: 'E_INVALID_AUTHORIZATION', message: `The JWT authorization is not valid: ${reason}.` }),
    );
  });

  it('keeps a userId of exactly 128 characters', () => {
    expect(verifyRokidJwt(sign({ ...good, userId: 'u'.repeat(128) }), settings, NOW)).toEqual({ userId: 'u'.repeat(128) });
  });
});
