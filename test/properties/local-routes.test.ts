/**
 * `npm start`'s runtime never answers 500 to bad input: any method, any path (malformed percent-encoding,
 * empty segments, `//`), any query and any body, sent raw over HTTP to every route it serves (the
 * deployed ones, the playground's and /local/*), gets an answer below 500. A 502 or 503 naming an
 * upstream's failure would be an answer by design; nothing here makes an upstream fail.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes.ts';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';

let driver: LocalDriver;
beforeAll(async () => {
  driver = await startLocalDriver({ port: 0, settings: { REFRESH_INTERVAL_S: '3600' }, playground: 'on' });
});
afterAll(() => driver.close());

/** The raw request, path and all, exactly as given: fetch would normalize the very paths under test. */
function send(method: string, path: string, headers: Record<string, string>, body: string | undefined) {
  const { hostname, port } = new URL(driver.url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const LOCAL_ROUTES = [
  'GET /',
  'GET /favicon.ico',
  'POST /playground/oauth2-token',
  'POST /playground/sign-out',
  'GET /local/callback',
  'GET /local/oauth2-callback',
];
const templates = [...Object.keys(ROUTES), ...LOCAL_ROUTES].map((routeKey) => routeKey.split(' ')[1]!);

/** Path pieces that broke it once, and random text. */
const segment = fc.oneof(
  fc.constantFrom('%ZZ', '%', '%E0%A4%A', '', '.', '..', '%00', '%2F', 'ä', 'app-1'),
  fc.string({ maxLength: 12 }).map((text) => encodeURIComponent(text)),
);
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...templates), segment).map(([template, piece]) => template.replace(/\{[^}]+\}/, piece)),
  fc.tuple(fc.constantFrom(...templates), segment).map(([template, piece]) => `${template}/${piece}`),
  fc.array(segment, { maxLength: 4 }).map((pieces) => `/${pieces.join('/')}`),
  fc.constantFrom('//', '///x', '/device_oauth/%ZZ/token', '/playground/', '/local/'),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.constantFrom('state', 'code', 'device_id', 'request_id', 'callbackURL', 'error', 'redirect_uri', 'x'), fc.string())
    .map((params) => `?${new URLSearchParams(params)}`),
  fc.constantFrom('?%ZZ=1', '?a=%', '?&&=&', '?state=%E0%A4%A', '?code'),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('null', '[]', '"text"', '{', '{"grant_type":1}', ''),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
);

it('answers every request below 500', { timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      path,
      query,
      body,
      fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream'),
      async (method, routePath, search, payload, contentType) => {
        const answer = await send(
          method,
          `${routePath}${search}`,
          { 'content-type': contentType },
          method === 'GET' || method === 'HEAD' ? undefined : payload,
        );
        expect(answer.status, `${method} ${routePath}${search} ${payload ?? ''} → ${answer.body.slice(0, 200)}`).toBeLessThan(500);
      },
    ),
    { numRuns: 3000 },
  );
});

it.each([
  ['GET', '/device_oauth/%ZZ/token', undefined, 400, { message: 'Bad Request: the path has malformed percent-encoding.' }],
  ['GET', '//', undefined, 404, { message: 'Not Found' }],
  ['POST', '/playground/oauth2-token', 'null', 400, { error: 'invalid_request', error_description: 'The body is not a JSON object.' }],
])('%s %s answers %i with a message', async (method, routePath, payload, status, message) => {
  const answer = await send(method, routePath, { 'content-type': 'application/json' }, payload);
  expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status, body: message });
});
