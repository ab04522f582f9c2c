/**
 * The OAuth 2.0 routes at the handler: what they answer when the server is not configured, and that an
 * unexpected failure is an RFC error with a request id, never a stack trace. Also the Bearer header on
 * /list, where a token in the body wins.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from '../support/events.ts';
import { startHandlers } from '../support/handlers.ts';

let world: Awaited<ReturnType<typeof startHandlers>> | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('without HOMEBASE_CLIENT_ID', () => {
  it.each([
    ['GET /.well-known/oauth-authorization-server', undefined],
    ['GET /oauth2/authorize', undefined],
    ['POST /oauth2/token', 'grant_type=refresh_token&refresh_token=x'],
    ['POST /oauth2/revoke', 'token=x'],
  ])('%s answers 404: the server is not configured', async (route, body) => {
    world = await startHandlers({ PUBLIC_BASE_URL: 'https://driver.example' });
    const result = await world.handlers.command(apiEvent(route, body, form), lambdaContext);
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: 'not_configured',
      error_description: 'This driver does not run an OAuth 2.0 server (HOMEBASE_CLIENT_ID is not set). Link through /command instead.',
    });
  });
});

describe('with the server configured', () => {
  const settings = {
    PUBLIC_BASE_URL: 'https://driver.example',
    HOMEBASE_CLIENT_ID: 'homebase',
    HOMEBASE_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:local:000000000000:secret:nowhere',
  };

  it('answers a failure of its own (here, a secret it cannot read) with 500 server_error and the request id, no stack', async () => {
    world = await startHandlers(settings, { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
    const auth = { ...form, authorization: `Basic ${Buffer.from('homebase:x').toString('base64')}` };
    const result = await world.handlers.command(
      apiEvent('POST /oauth2/token', 'grant_type=refresh_token&refresh_token=x', auth),
      lambdaContext,
    );
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: 'server_error',
      error_description: 'The server failed unexpectedly; request id req-1.',
    });
  });

  it('answers an unknown OAuth 2.0 path with 404', async () => {
    world = await startHandlers(settings);
    const result = await world.handlers.command(apiEvent('POST /oauth2/introspect', 'token=x', form), lambdaContext);
    expect(result.statusCode).toBe(404);
  });
});

describe('the Bearer header on the device routes', () => {
  it('is used when userAuth has no token, and never over a token in the body', async () => {
    world = await startHandlers();
    const login = await world.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
    const token = (login.data as { userToken: string }).userToken;
    const json = { 'content-type': 'application/json' };
    await expect(world.call('list', '{}', { ...json, authorization: `Bearer ${token}` })).resolves.toMatchObject({ status: 0 });
    await expect(world.call('list', '{"userAuth":{"userId":""}}', { ...json, authorization: `bearer ${token}` })).resolves.toMatchObject({
      status: 0,
    });
    await expect(
      world.call('list', JSON.stringify({ userAuth: { userToken: 'hbu.x.y' } }), { ...json, authorization: `Bearer ${token}` }),
    ).resolves.toMatchObject({ status: 1, errorName: 'E_DRIVER_SIGN_ERROR' });
    const execute = { device: { deviceId: 'nope' }, action: { property: 'switch', name: 'on' } };
    await expect(world.call('execute', JSON.stringify(execute), { ...json, authorization: `Bearer ${token}` })).resolves.toMatchObject({
      errorName: 'E_DRIVER_DEVICE_NO_FOUND',
    });
    await expect(
      world.call('get', JSON.stringify({ device: { deviceId: 'nope' } }), { ...json, authorization: `Bearer ${token}` }),
    ).resolves.toMatchObject({
      errorName: 'E_DRIVER_DEVICE_NO_FOUND',
    });
    await expect(world.call('list', '{}', { ...json, authorization: 'Basic abc' })).resolves.toMatchObject({ errorName: 'E_DRIVER_ERROR' });
  });
});

describe('the sign-in page when deployed', () => {
  it('sets its CSRF cookie Secure behind https, and lets its form answer redirect only to the registered origin', async () => {
    world = await startHandlers({
      PUBLIC_BASE_URL: 'https://driver.example',
      HOMEBASE_CLIENT_ID: 'homebase',
      HOMEBASE_CLIENT_SECRET: 'client-secret-value',
      HOMEBASE_SIGN_IN: 'usercenter',
    });
    const event = apiEvent('GET /oauth2/authorize', undefined, {});
    event.rawQueryString = 'response_type=code&client_id=homebase&state=s';
    const page = await world.handlers.command(event, lambdaContext);
    expect(page.statusCode).toBe(200);
    expect(page.cookies).toEqual([expect.stringMatching(/^hb_csrf_\w+=[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/)]);
    expect(page.headers?.['content-security-policy']).toContain("form-action 'self' https://homebase.rokid.com;");
  });
});
