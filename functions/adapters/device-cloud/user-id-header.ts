/**
 * The user a service-token call is for, in `X-Homebase-User-Id` (docs/device-cloud.md). HTTP trims a header's
 * leading and trailing whitespace and Node refuses non-Latin-1 characters, CR, LF and NUL in one, so a userId that
 * cannot travel as it is goes in RFC 8187's ext-value form: `UTF-8''` and its UTF-8 bytes percent-encoded. Every
 * other userId travels as it is, as it always has. The driver encodes; a cloud (the local one too) decodes.
 */
import { DriverError } from '../../domain/errors.ts';

/** Names the user a service-token call is for. */
export const ACTING_FOR_HEADER = 'x-homebase-user-id';

const EXT_VALUE_PREFIX = "UTF-8''";

/** RFC 8187's attr-char: what an ext-value carries unencoded. */
const ATTR_CHARS = 'A-Za-z0-9!#$&+\\-.^_`|~';
const ATTR_CHAR = new RegExp(`^[${ATTR_CHARS}]$`);
const EXT_VALUE_TEXT = new RegExp(`^(?:[${ATTR_CHARS}]|%[0-9A-Fa-f]{2})+$`);

/** Printable ASCII with no whitespace at either end, which every HTTP stack passes on unchanged. */
const AS_IT_IS = /^(?! )[\x20-\x7E]*(?<! )$/;

/** A lone surrogate: a string no UTF-8 can carry, which would otherwise become U+FFFD and meet another user. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function encodeUserIdHeader(userId: string): string {
  // Any letter case: a cloud whose RFC 8187 decoder ignores the charset's case still reads such a userId back.
  if (AS_IT_IS.test(userId) && !userId.toUpperCase().startsWith(EXT_VALUE_PREFIX)) return userId;
  if (LONE_SURROGATE.test(userId)) {
    throw new DriverError('The user id is not well-formed Unicode (it has a lone surrogate), so it cannot be named to the device cloud.');
  }
  let encoded = EXT_VALUE_PREFIX;
  for (const byte of new TextEncoder().encode(userId)) {
    const char = String.fromCharCode(byte);
    encoded += ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** The userId a header names, or undefined for a malformed ext-value or an empty userId. */
export function decodeUserIdHeader(value: string): string | undefined {
  if (!value.startsWith(EXT_VALUE_PREFIX)) return value === '' ? undefined : value;
  const text = value.slice(EXT_VALUE_PREFIX.length);
  if (!EXT_VALUE_TEXT.test(text)) return undefined;
  const bytes = Uint8Array.from(text.match(/%[0-9A-Fa-f]{2}|[^%]/g) ?? [], (piece) =>
    piece.length === 3 ? Number.parseInt(piece.slice(1), 16) : piece.charCodeAt(0),
  );
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
