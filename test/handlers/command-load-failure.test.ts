/**
 * The command function's OAuth half loads on first use (composition/oauth-linking.ts). When that load fails, a
 * browser route is still answered with a page and an OAuth 2.0 route with RFC 6749's `server_error`, each with
 * the request id, as their own handlers answer an unexpected failure: never a rejection, which API Gateway
 * would turn into a bare 500.
 */
import { describe, expect, it, vi } from 'vitest';
import { commandHandler } from '../../functions/command.ts';
import { readConfig } from '../../functions/config.ts';
import { logger } from '../../functions/observability.ts';
import { lambdaContext } from '../../lib/local/lambda-context.ts';
import { apiEvent } from '../support/events.ts';

const failingLoad = () => Promise.reject(new Error('Cannot find module ./chunks/oauth-linking.mjs'));
// No OAuth upstream: loaded, the browser routes would answer "not available" (404), the OAuth 2.0 server's its 404.
const config = readConfig({ TABLE_NAME: 't', USERCENTER_URL: 'http://127.0.0.1:1', CREDENTIALS_KEY_FILE: '/k' });
const handler = commandHandler(() => config, undefined, failingLoad);

describe('when the OAuth half cannot be loaded', () => {
  it('a browser route answers a page with the request id', async () => {
    const answer = await handler(apiEvent('GET /oauth/callback', undefined), lambdaContext('req-load-1'));
    expect(answer.statusCode).toBe(500);
    expect(answer.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('<h1>Something went wrong</h1>');
    expect(answer.body).toContain('give the operators this request id: req-load-1.');
    expect(answer.body).not.toContain('Cannot find module');
  });

  it('an OAuth 2.0 route answers server_error', async () => {
    const answer = await handler(apiEvent('GET /.well-known/oauth-authorization-server', undefined), lambdaContext('req-load-2'));
    expect(answer.statusCode).toBe(500);
    expect(JSON.parse(answer.body ?? '')).toEqual({
      error: 'server_error',
      error_description: 'The server failed unexpectedly; request id req-load-2.',
    });
    expect(answer.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' });
  });
});

describe('when the OAuth half loads but its settings cannot be built', () => {
  // The routes ask for the linking services on each request (oauth-browser-routes.ts): a setting that throws then is
  // the browser handler's own failure, answered with its page.
  const broken = commandHandler(
    () => config,
    () => {
      throw new Error('a setting that cannot be read');
    },
  );

  it('a browser route answers a page with the request id', async () => {
    const logged = vi.spyOn(logger, 'error');
    const answer = await broken(apiEvent('GET /oauth/start', undefined), lambdaContext('req-load-3'));
    // The browser handler's own failure, not a load failure answered by load-failure.ts with the same page.
    expect(logged.mock.calls.map(([message]) => message)).toEqual(['browser route failed unexpectedly']);
    logged.mockRestore();
    expect(answer.statusCode).toBe(500);
    expect(answer.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('req-load-3');
    expect(answer.body).not.toContain('a setting that cannot be read');
  });
});
