/**
 * Rokid's token endpoint as the driver reads it: the shapes OAuth servers really send (numbers as strings, a
 * `data` wrapper, extra fields), HTTP Basic first and the form credentials after a 401 or a 400 invalid_client,
 * and every refusal told apart from an answer that cannot be read and from no answer at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTokenClient } from '../../functions/adapters/rokid/event-token-client.ts';
import { UpstreamError } from '../../functions/domain/upstream-error.ts';
import { closedPortUrl, type Script, type ScriptedServer, startScriptedServer } from '../support/scripted-server.ts';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer(() => ({ json: {} }));
});
afterAll(() => server.close());

const client = (url = `${server.url}/oauth/token`) =>
  new EventTokenClient({ tokenUrl: url, clientId: 'rokid-events', clientSecret: async () => 's3cret/+', timeoutMs: 300 });
const answering = (script: Script) => {
  server.script = script;
  server.requests.length = 0;
};
const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return { failure: (error as UpstreamError).failure, code: (error as UpstreamError).upstreamCode, message: (error as Error).message };
};

describe('accepted shapes', () => {
  it('RFC 6749: form-encoded, HTTP Basic, no redirect_uri; the grant read', async () => {
    answering(() => ({ json: { access_token: 'at', refresh_token: 'rt', expires_in: 7200, token_type: 'bearer', scope: 'events' } }));
    expect(await client().exchange('the-code', { timeoutMs: 300 })).toEqual({
      accessToken: 'at',
      refreshToken: 'rt',
      expiresIn: 7200,
      extra: { token_type: 'bearer', scope: 'events' },
    });
    const [request] = server.requests;
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('rokid-events:s3cret%2F%2B').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({ grant_type: 'authorization_code', code: 'the-code' });
  });

  it('expires_in as a string, the fields under `data`, unknown fields dropped', async () => {
    answering(() => ({ json: { code: 0, data: { access_token: 'at', refresh_token: 'rt', expires_in: '3600', openid: 'x' } } }));
    expect(await client().refresh('rt-0')).toEqual({ accessToken: 'at', refreshToken: 'rt', expiresIn: 3600, extra: {} });
    expect(Object.fromEntries(new URLSearchParams(server.requests[0]!.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-0',
    });
  });

  it.each([
    ['a 401', { status: 401, json: { error: 'invalid_client' } }],
    ['a 400 invalid_client', { status: 400, json: { error: 'invalid_client' } }],
  ])('%s to Basic: the form credentials next, and kept to from then on', async (_label, refusal) => {
    const tolerant = client();
    answering((request) => (request.headers.authorization ? refusal : { json: { access_token: 'at', expires_in: 60 } }));
    expect((await tolerant.exchange('c', { timeoutMs: 300 })).accessToken).toBe('at');
    expect(server.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)))).toEqual([
      { grant_type: 'authorization_code', code: 'c' },
      { grant_type: 'authorization_code', code: 'c', client_id: 'rokid-events', client_secret: 's3cret/+' },
    ]);
    server.requests.length = 0;
    await tolerant.refresh('rt');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('refusals, unreadable answers and no answer, told apart', () => {
  it.each<[string, Script, { failure: string; code?: string; message: string }]>([
    [
      'invalid_grant',
      () => ({ status: 400, json: { error: 'invalid_grant', error_description: 'used' } }),
      { failure: 'invalid_grant', code: 'invalid_grant', message: "Rokid's token endpoint refused: invalid_grant" },
    ],
    [
      'a refused client with either credentials',
      () => ({ status: 401, json: { error: 'invalid_client' } }),
      { failure: 'rejected', code: 'invalid_client', message: "Rokid's token endpoint refused: invalid_client" },
    ],
    [
      'an error inside a 200',
      () => ({ json: { error: 'invalid_grant' } }),
      { failure: 'invalid_grant', code: 'invalid_grant', message: "Rokid's token endpoint refused: invalid_grant" },
    ],
    ['a 503', () => ({ status: 503, text: 'busy' }), { failure: 'unavailable', message: "Rokid's token endpoint answered HTTP 503" }],
    ['a 429', () => ({ status: 429, json: {} }), { failure: 'unavailable', message: "Rokid's token endpoint answered HTTP 429" }],
    [
      "a proxy's HTML page",
      () => ({ text: '<html>gateway</html>', contentType: 'text/html' }),
      { failure: 'malformed', message: "Rokid's token endpoint answered HTTP 200 with a body that is not JSON" },
    ],
    [
      'a 200 without access_token',
      () => ({ json: { token: 'x' } }),
      { failure: 'malformed', message: "Rokid's token endpoint answered without an access_token" },
    ],
    [
      'a 404 with no OAuth error',
      () => ({ status: 404, text: 'not found', contentType: 'text/plain' }),
      { failure: 'malformed', message: "Rokid's token endpoint answered HTTP 404 with no OAuth error" },
    ],
    ['no answer in time', () => 'hang', { failure: 'unavailable', message: "Rokid's token endpoint: no answer within 300 ms" }],
  ])('%s', async (_label, script, expected) => {
    answering(script);
    expect(await failureOf(client().refresh('rt'))).toMatchObject(expected);
  });

  it('a refused connection is unavailable', async () => {
    expect(await failureOf(client(`${await closedPortUrl()}/oauth/token`).refresh('rt'))).toMatchObject({
      failure: 'unavailable',
      message: "Rokid's token endpoint: connection failed",
    });
  });
});
