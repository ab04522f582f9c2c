/**
 * Rokid's v2 JWT authorization: tokens as rhome 2.0.8 signs them (jsonwebtoken's HS256, with `iat`) and as
 * the docs' sample has them (no `iat`), and every way a token must be refused, each with its reason.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyRokidJwt } from '../../functions/domain/v2/jwt-authorization.ts';
import { signJwt } from '../support/v2.ts';

const settings = { appId: 'app-123', appSecret: 'your-256-bit-secret' };
const NOW = 1_800_000_000;
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const sign = (claims: unknown, header?: unknown, secret = settings.appSecret) => signJwt(claims, secret, header);
/** A token over header and claims spelled exactly as given, correctly signed: what only a signer can make. */
const signSpelled = (header: string, claims: string) =>
  `${header}.${claims}.${createHmac('sha256', settings.appSecret).update(`${header}.${claims}`).digest('base64url')}`;
const standard = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const CANONICAL = 'only A-Z, a-z, 0-9, "-" and "_", no "=" padding, and a last character that encodes no bits beyond the data';

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
    [
      'claims whose bytes are not UTF-8, signed so',
      signSpelled(part({ alg: 'HS256', typ: 'JWT' }), Buffer.from('{"userId":"\xff","appId":"app-123"}', 'latin1').toString('base64url')),
      'the claims are not a base64url JSON object',
    ],
    ['a token of 5 KB', `${'a'.repeat(5000)}.b.c`, 'the token is too long'],
  ])('refuses %s as E_INVALID_AUTHORIZATION, saying why', (_case, token, reason) => {
    expect(() => verifyRokidJwt(token, settings, NOW)).toThrow(
      expect.objectContaining({ errorName: 'E_INVALID_AUTHORIZATION', message: `The JWT authorization is not valid: ${reason}.` }),
    );
  });

  const [validHeader = '', validClaims = '', validSignature = ''] = sign(good).split('.');
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // 32 bytes are 43 characters, the last carrying 2 bits beyond the data: set one, and it decodes to the same bytes.
  const strayBits = `${validSignature.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(validSignature.at(-1)!) | 1]}`;

  it('has test tokens that are what they say: a valid one, and standard base64 with "+" or "/" in it', () => {
    expect(verifyRokidJwt(`${validHeader}.${validClaims}.${validSignature}`, settings, NOW)).toEqual({ userId: 'vendor-user-1' });
    expect(strayBits).not.toBe(validSignature);
    expect(Buffer.from(strayBits, 'base64url')).toEqual(Buffer.from(validSignature, 'base64url'));
    expect(standard({ alg: 'HS256', typ: 'JWT', kid: '???' })).toContain('/');
    expect(standard({ alg: 'HS256', kid: '>>>' })).toContain('+');
    expect(standard({ userId: 'u???', appId: 'app-123' })).toMatch(/\/.*=$/);
  });

  it.each([
    ['a signature with "=" appended', `${validHeader}.${validClaims}.${validSignature}=`, 'signature'],
    ['a signature with "!!" appended', `${validHeader}.${validClaims}.${validSignature}!!`, 'signature'],
    [
      'a signature in padded standard base64',
      `${validHeader}.${validClaims}.${Buffer.from(validSignature, 'base64url').toString('base64')}`,
      'signature',
    ],
    ['a signature whose last character sets bits beyond the data', `${validHeader}.${validClaims}.${strayBits}`, 'signature'],
    ['a signature of a length no base64url has (4n + 1)', `${validHeader}.${validClaims}.${validSignature}AA`, 'signature'],
    ['a header with "=" appended', `${validHeader}=.${validClaims}.${validSignature}`, 'header'],
    ['a header in standard base64, with "/"', signSpelled(standard({ alg: 'HS256', typ: 'JWT', kid: '???' }), validClaims), 'header'],
    ['a header in standard base64, with "+"', signSpelled(standard({ alg: 'HS256', kid: '>>>' }), validClaims), 'header'],
    ['claims in padded standard base64, signed so', signSpelled(validHeader, standard({ userId: 'u???', appId: 'app-123' })), 'claims'],
    ['claims with "=" appended, signed so', signSpelled(validHeader, `${validClaims}=`), 'claims'],
  ])('refuses %s: every segment is canonical base64url', (_case, token, segment) => {
    expect(() => verifyRokidJwt(token, settings, NOW)).toThrow(
      expect.objectContaining({
        errorName: 'E_INVALID_AUTHORIZATION',
        message: `The JWT authorization is not valid: the ${segment} is not canonical base64url (${CANONICAL}).`,
      }),
    );
  });

  const CONTROL = 'userId must have no control character (U+0000-U+001F, U+007F-U+009F, U+2028, U+2029), and it has';
  const WHITESPACE = 'userId must not begin or end with whitespace: it is taken as it is, never trimmed';
  it.each([
    ['a leading space', ' bob', WHITESPACE],
    ['a trailing space', 'bob ', WHITESPACE],
    ['a leading no-break space', '\u00A0bob', WHITESPACE],
    ['a trailing ideographic space', 'bob\u3000', WHITESPACE],
    ['a leading byte-order mark', '\uFEFFbob', WHITESPACE],
    ['a trailing tab', 'bob\t', `${CONTROL} U+0009`],
    ['a line feed inside', 'bo\nb', `${CONTROL} U+000A`],
    ['a carriage return inside', 'bo\rb', `${CONTROL} U+000D`],
    ['a NUL', '\u0000bob', `${CONTROL} U+0000`],
    ['a DEL', 'bob\u007F', `${CONTROL} U+007F`],
    ['a C1 control', 'bob\u0085', `${CONTROL} U+0085`],
    ['a line separator', 'bo\u2028b', `${CONTROL} U+2028`],
    ['a paragraph separator', 'bo\u2029b', `${CONTROL} U+2029`],
    ['a lone surrogate', 'bob\uD800', 'userId must be well-formed Unicode, and it has a lone surrogate U+D800'],
    ['128 characters ending in a space', `${'u'.repeat(127)} `, WHITESPACE],
  ])('refuses a userId with %s, never taking it for another user', (_case, userId, reason) => {
    expect(() => verifyRokidJwt(sign({ ...good, userId }), settings, NOW)).toThrow(
      expect.objectContaining({ errorName: 'E_INVALID_AUTHORIZATION', message: `The JWT authorization is not valid: ${reason}.` }),
    );
  });

  it.each([
    ['inner spaces', 'bob smith'],
    ['Chinese characters', '张三'],
    ['a character outside the BMP', 'bob😀'],
    ['ASCII punctuation', `bob/%'"*;`],
  ])('takes a userId with %s exactly as it is', (_case, userId) => {
    expect(verifyRokidJwt(sign({ ...good, userId }), settings, NOW)).toEqual({ userId });
  });

  it('keeps a userId of exactly 128 characters', () => {
    expect(verifyRokidJwt(sign({ ...good, userId: 'u'.repeat(128) }), settings, NOW)).toEqual({ userId: 'u'.repeat(128) });
  });
});
