import { describe, expect, it } from 'vitest';
import { hashedKey } from '../../functions/domain/hashed-key.ts';

describe('hashedKey', () => {
  it('tells apart part lists that a separator-joined string would merge', () => {
    // The old `${a}\u0000${b}` encoding gave these two the same key.
    expect(hashedKey('a\u0000', 'b')).not.toBe(hashedKey('a', '\u0000b'));
    expect(hashedKey('ab', '')).not.toBe(hashedKey('a', 'b'));
    expect(hashedKey('1:a')).not.toBe(hashedKey('1', 'a'));
  });

  it('is stable and counts bytes, not UTF-16 units', () => {
    expect(hashedKey('灯', 'x')).toBe(hashedKey('灯', 'x'));
    expect(hashedKey('灯', 'x')).not.toBe(hashedKey('灯x'));
    expect(hashedKey('u', 'm')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
