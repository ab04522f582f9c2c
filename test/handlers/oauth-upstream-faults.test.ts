/**
 * An account service that answers garbage, HTML, nothing at all, a refusal with HTTP 200, or 10 MB:
 * the browser still lands on Homebase's callbackURL, with an OAuth error and a reason a person can act
 * on, within OAUTH_TIMEOUT_MS. Nothing is stored, and no upstream body reaches a log.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiGatewayEvent } from '../../lib/local/api-gateway.ts';
import { lambdaContext } from '../support/events.ts';
import { startHandlers } from '../support/handlers.ts';
import { captureOutput } from '../support/output.ts';
import { type Script, type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

const PUBLIC = 'https://driver.example';
const CALLBACK = 'https://homebase.rokid.com/cb';
/** Planted in every upstream body: it must never reach a log. */
const MARKER = 'UPSTREAM-BODY-7f3a';
let vendor: ScriptedServer;
let script: Script = () => ({ json: {} });
let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  vendor = await startScriptedServer((request) => script(request));
  driver = await startHandlers(
    {
      OAUTH_AUTHORIZATION_ENDPOINT: `${vendor.url}/authorize`,
      OAUTH_TOKEN_ENDPOINT: `${vendor.url}/token`,
      OAUTH_CLIENT_ID: 'vendor-app',
      OAUTH_CLIENT_SECRET: 's3cret',
      OAUTH_USER_ID_CLAIM: 'open_id',
      OAUTH_TIMEOUT_MS: '1000',
      PUBLIC_BASE_URL: PUBLIC,
    },
    { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' },
  );
});
afterAll(async () => {
  await driver.close();
  await vendor.close();
});

async function callbackWith(answer: ReturnType<Script>) {
  script = () => answer;
  const { data: url } = await driver.call('command', JSON.stringify({ command: 'OAuth', params: { callbackURL: CALLBACK } }));
  const command = driver.handlers.command as never as (e: unknown, c: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
  const get = (routeKey: string, target: string, headers: Record<string, string> = {}) =>
    command(
      apiGatewayEvent({
        method: 'GET',
        url: new URL(target),
        headers,
        body: Buffer.alloc(0),
        route: { routeKey, pathParameters: undefined },
      }),
      lambdaContext,
    );
  // The browser at /oauth/start: the state it takes to the vendor, and the cookie that binds it.
  const start = await get('GET /oauth/start', url as string);
  const state = new URL(String(start.headers?.['location'])).searchParams.get('state')!;
  const cookie = start.cookies?.[0]?.split(';')[0] ?? '';
  const started = performance.now();
  const result = await get('GET /oauth/callback', `${PUBLIC}/oauth/callback?state=${encodeURIComponent(state)}&code=c-1`, { cookie });
  return { result, ms: performance.now() - started };
}

const UNREADABLE =
  "The account service's answer could not be read, so the account was not linked. Try again later; if it keeps failing, tell the vendor.";
const REFUSED = 'The account service refused the sign-in. Try linking again.';

it.each([
  ['garbage', { text: `garbage ${MARKER}`, contentType: 'text/plain' }, 'server_error', UNREADABLE],
  ['an HTML page', { text: `<html>${MARKER}</html>`, contentType: 'text/html' }, 'server_error', UNREADABLE],
  ['an empty body', { text: '' }, 'server_error', UNREADABLE],
  ['10 MB of anything', { text: MARKER.repeat(700_000) }, 'server_error', UNREADABLE],
  ['a refusal with HTTP 200', { json: { code: 40001, msg: MARKER } }, 'server_error', REFUSED],
  ['a numeric error with HTTP 200', { json: { error: 96009, error_description: MARKER } }, 'server_error', REFUSED],
  ['no answer at all', 'hang', 'temporarily_unavailable', 'The account service did not answer. Try linking again in a few minutes.'],
] as const)('%s: back to callbackURL with %s, nothing stored, no body logged', async (_case, answer, error, description) => {
  const capture = captureOutput();
  const { written } = capture;
  let outcome: Awaited<ReturnType<typeof callbackWith>>;
  try {
    outcome = await callbackWith(answer);
  } finally {
    capture.restore();
  }
  expect(outcome.result.statusCode).toBe(302);
  const location = new URL(String(outcome.result.headers?.['location']));
  expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
  expect(location.searchParams.get('error')).toBe(error);
  expect(location.searchParams.get('error_description')).toBe(description);
  expect(outcome.ms).toBeLessThan(1000 + 500);

  const { Items = [] } = await driver.table.db.send(new ScanCommand({ TableName: driver.table.tableName }));
  expect(Items.filter((item) => String(item['pk']).startsWith('LINK#'))).toEqual([]);

  const logs = written.join('');
  expect(logs).toContain('OAuth code exchange failed');
  expect(logs).not.toContain(MARKER);
  expect(logs).not.toContain('s3cret');
});

it('logs which kind of failure it was, with the upstream code, and counts it', async () => {
  const capture = captureOutput();
  try {
    await callbackWith({ json: { error: 96009, error_description: MARKER } });
  } finally {
    capture.restore();
  }
  const entries = capture.entries();
  const line = entries.find((entry) => entry.message === 'OAuth code exchange failed');
  expect(line).toMatchObject({ level: 'WARN', kind: 'refused', failure: 'rejected', upstreamCode: '96009' });
  // The EMF metric, in the namespace the alarms read.
  expect(entries.find((entry) => entry['upstream_refused'] !== undefined)).toMatchObject({
    upstream_refused: 1,
    service: 'homebase-driver',
  });
});

it('binds the state to the browser with a Secure cookie when the driver is served over https', async () => {
  const { data: url } = await driver.call('command', JSON.stringify({ command: 'OAuth', params: { callbackURL: CALLBACK } }));
  const start = await driver.browse('GET /oauth/start', url as string);
  expect(start.cookies).toEqual([
    expect.stringMatching(/^hb_state_[\w-]+=[\w-]+; Path=\/oauth\/callback; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/),
  ]);
});
