/**
 * Whatever arrives, Homebase gets a well-formed envelope: any JSON value and any bytes at all, sent to
 * each of the four POST routes, answer HTTP 200 with `{status: 0, data}` or a complete error envelope.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorName } from '../../functions/domain/errors.ts';
import { apiEvent } from '../support/events.ts';
import { type Envelope, startHandlers } from '../support/handlers.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  driver = await startHandlers();
});
afterAll(() => driver.close());

const ROUTES = ['list', 'execute', 'get', 'command'] as const;

/** `invoke` already asserts the 200 and the JSON content type; this checks the envelope itself. */
function expectWellFormed(envelope: Envelope): void {
  if (envelope.status === 0) {
    expect(Object.keys(envelope).sort()).toEqual(['data', 'status']);
    return;
  }
  expect(envelope.status).toBeGreaterThan(0);
  expect(isErrorName(envelope.errorName)).toBe(true);
  expect(typeof envelope.message).toBe('string');
  expect(envelope.message!.length).toBeGreaterThan(0);
  expect(envelope.message).not.toMatch(/\n\s+at /); // never a stack trace
}

/** Bodies shaped like the protocol's, with anything in their fields, reach deeper than random JSON. */
const protocolShaped = fc.record(
  {
    userAuth: fc.oneof(fc.record({ userId: fc.string(), userToken: fc.string() }), fc.jsonValue()),
    device: fc.oneof(fc.record({ deviceId: fc.string(), userAuth: fc.jsonValue() }), fc.jsonValue()),
    action: fc.oneof(
      fc.record({ property: fc.constantFrom('switch', 'volume', 'channel'), name: fc.string(), value: fc.jsonValue() }),
      fc.jsonValue(),
    ),
    command: fc.oneof(fc.constantFrom('login', 'OAuth', 'OAuthGetToken', 'OAuthRefresh', 'Login'), fc.string()),
    params: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe.each(ROUTES)('POST /%s', (route) => {
  it('answers any JSON body with a well-formed envelope', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), protocolShaped), async (body) => {
        expectWellFormed(await driver.call(route, JSON.stringify(body)));
      }),
      { numRuns: 150 },
    );
  });

  it('answers any non-JSON body, under any content type, with a well-formed envelope', { timeout: 60_000 }, async () => {
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=utf-8');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), contentType, async (bytes, type) => {
        const event = apiEvent(`POST /${route}`, undefined, { 'content-type': type });
        const text = Buffer.from(bytes).toString('utf8');
        const isJson = (() => {
          try {
            JSON.parse(text);
            return true;
          } catch {
            return false;
          }
        })();
        fc.pre(!isJson);
        if (type.includes('json') || type.startsWith('text/')) event.body = text;
        else Object.assign(event, { body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true });
        expectWellFormed(await driver.invoke(route, event));
      }),
      { numRuns: 150 },
    );
  });
});
