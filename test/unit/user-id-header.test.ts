/**
 * X-Homebase-User-Id (docs/device-cloud.md): a userId HTTP carries unchanged travels as it is; any other in RFC 8187's
 * `UTF-8''` form. Every well-formed userId comes back exactly from what was sent, and what is sent is always a header
 * value Node sends and no HTTP stack trims.
 */
import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUserIdHeader, encodeUserIdHeader } from '../../functions/adapters/device-cloud/user-id-header.ts';

describe('X-Homebase-User-Id', () => {
  it.each([
    ['a printable ASCII userId, as it is', 'vendor-user-1', 'vendor-user-1'],
    ['ASCII punctuation and inner spaces, as they are', `bob smith/%'"*;`, `bob smith/%'"*;`],
    ['Chinese characters, as the docs show', '张三', "UTF-8''%E5%BC%A0%E4%B8%89"],
    ['a leading space', ' bob', "UTF-8''%20bob"],
    ['a trailing space', 'bob ', "UTF-8''bob%20"],
    ['a tab', 'bob\t', "UTF-8''bob%09"],
    ['CR and LF', 'bob\r\nX-Admin: 1', "UTF-8''bob%0D%0AX-Admin%3A%201"],
    ['NUL', 'bob\u0000', "UTF-8''bob%00"],
    ['DEL', 'bob\u007F', "UTF-8''bob%7F"],
    ['a character outside the BMP', 'bob😀', "UTF-8''bob%F0%9F%98%80"],
    ['attr-chars unencoded, the rest encoded', "é a!#$&+-.^_`|~%'*", "UTF-8''%C3%A9%20a!#$&+-.^_`|~%25%27%2A"],
    ['a userId that already looks encoded', "UTF-8''bob", "UTF-8''UTF-8%27%27bob"],
    ['one that looks encoded in another letter case', "utf-8''bob", "UTF-8''utf-8%27%27bob"],
  ])('carries %s', (_case, userId, header) => {
    expect(encodeUserIdHeader(userId)).toBe(header);
    expect(decodeUserIdHeader(header)).toBe(userId);
  });

  it('decodes lowercase hex as well', () => {
    expect(decodeUserIdHeader("UTF-8''%e5%bc%a0%e4%b8%89")).toBe('张三');
  });

  it.each([
    ['an empty value', ''],
    ['an empty ext-value', "UTF-8''"],
    ['a stray %', "UTF-8''bob%"],
    ['a % without two hex digits', "UTF-8''bob%2"],
    ['a character outside attr-char, unencoded', "UTF-8''bob smith"],
    ['bytes that are not UTF-8', "UTF-8''%FF%FE"],
    ['a truncated UTF-8 sequence', "UTF-8''%E5%BC"],
  ])('names no user for %s', (_case, value) => {
    expect(decodeUserIdHeader(value)).toBeUndefined();
  });

  it('refuses a userId no UTF-8 can carry, by name, rather than send it as another user', () => {
    expect(() => encodeUserIdHeader('bob\uD800')).toThrow(
      expect.objectContaining({
        errorName: 'E_DRIVER_ERROR',
        message: 'The user id is not well-formed Unicode (it has a lone surrogate), so it cannot be named to the device cloud.',
      }),
    );
  });

  it('every well-formed userId comes back exactly, in a value Node sends and nothing trims', () => {
    const userId = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1 }),
      fc.string({ unit: 'binary-ascii', minLength: 1 }),
      fc.string({ unit: fc.constantFrom(' ', '\t', 'b', 'o', "'", '%', 'U', 'T', 'F', '-', '8', '张'), minLength: 1 }),
    );
    fc.assert(
      fc.property(userId, (id) => {
        const header = encodeUserIdHeader(id);
        expect(() => validateHeaderValue('x-homebase-user-id', header)).not.toThrow();
        expect(header).toMatch(/^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/);
        expect(decodeUserIdHeader(header)).toBe(id);
      }),
      { numRuns: 2000 },
    );
  });

  it('two userIds never share a header value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.string({ unit: 'binary', minLength: 1 }), (a, b) => {
        fc.pre(a !== b);
        expect(encodeUserIdHeader(a)).not.toBe(encodeUserIdHeader(b));
      }),
    );
  });
});
