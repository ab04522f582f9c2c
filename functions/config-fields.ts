/**
 * The kinds of value a setting can be (functions/config.ts): each a valibot schema that reads the environment's
 * string and says, in a message a person can act on, what it expected.
 */
import * as v from 'valibot';

export const text = v.pipe(v.string(), v.trim(), v.nonEmpty());
export const httpUrl = v.pipe(
  text,
  v.url('expected an http(s) URL, such as https://login.vendor.example'),
  v.regex(/^https?:\/\//, 'expected an http(s) URL'),
);
export const wholeNumber = (fallback: number) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.transform(Number),
    v.number(),
    v.integer('expected a whole number'),
    v.minValue(1, 'expected a positive whole number'),
  );
export const optionalWholeNumber = v.optional(
  v.pipe(
    v.string(),
    v.transform(Number),
    v.number(),
    v.integer('expected a whole number'),
    v.minValue(1, 'expected a positive whole number'),
  ),
);
export const commaList = v.pipe(
  v.string(),
  v.transform((list) =>
    list
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);
/** `name=value&name=value`, as in a URL's query. */
export const queryParams = v.pipe(
  v.string(),
  v.transform((query) => Object.fromEntries(new URLSearchParams(query))),
);
export const pattern = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return new RegExp(dataset.value, 'i');
    } catch {
      addIssue({ message: 'expected a regular expression' });
      return NEVER;
    }
  }),
);

/** Space- or comma-separated, as OAuth writes scopes. */
export const scopeList = v.pipe(
  v.string(),
  v.transform((list) => list.split(/[\s,]+/).filter(Boolean)),
);
export const urlList = v.pipe(
  commaList,
  v.check((urls) => urls.every((url) => URL.canParse(url)), 'expected absolute URLs, separated by commas'),
);

/** `Name: value`, as an HTTP header line is written: the console's custom header (自定义 Header), the CLI's --header. */
export const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(\S.*)$/;

/** A header line's name (in lower case: HTTP matches names case-insensitively) and value; undefined when it is none. */
export function headerLine(line: string): { name: string; value: string } | undefined {
  const match = HEADER_LINE.exec(line);
  return match ? { name: (match[1] ?? '').toLowerCase(), value: (match[2] ?? '').trim() } : undefined;
}

export const requiredHeader = v.pipe(
  v.string(),
  v.regex(HEADER_LINE, 'expected "Name: value", such as "X-Rokid-Skill: a-shared-secret"'),
  v.transform((line) => headerLine(line) ?? { name: '', value: '' }),
);
