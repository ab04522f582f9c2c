/**
 * The OAuth 2.0 routes at the handler: what they answer when the server is not configured, and that an
 * unexpected failure is an RFC error with a request id, never a stack trace. Also the Bearer header on
 * /list, where a token in the body wins.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiGatewayEvent } from '../../lib/local/api-gateway.ts';
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

describe('the OAuth 2.0 server in the logs', () => {
  it('logs each request by route and status, never a password, code, token or CSRF value', async () => {
    world = await startHandlers(
      {
        PUBLIC_BASE_URL: 'https://driver.example',
        HOMEBASE_CLIENT_ID: 'homebase',
        HOMEBASE_CLIENT_SECRET: 'client-secret-value',
        HOMEBASE_SIGN_IN: 'usercenter',
      },
      { POWERTOOLS_LOG_LEVEL: 'INFO' },
    );
    const command = world.handlers.command;
    const event = (method: string, path: string, body: string, headers: Record<string, string>) =>
      apiGatewayEvent({
        method,
        url: new URL(path, 'https://driver.example'),
        headers,
        body: Buffer.from(body),
        route: { routeKey: `${method} ${path.split('?')[0]}`, pathParameters: undefined },
      });
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let secrets: string[] = [];
    try {
      const page = await command(event('GET', '/oauth2/authorize?response_type=code&client_id=homebase&state=st-1', '', {}), lambdaContext);
      const request = /name="request" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
      const cookie = (page.cookies?.[0] ?? '').split(';')[0] ?? '';
      const post = (password: string) =>
        command(
          event('POST', '/oauth2/authorize', new URLSearchParams({ request, csrf, username: 'demo', password }).toString(), {
            ...form,
            cookie,
          }),
          lambdaContext,
        );
      await post('wrong-password-value');
      const back = await post('homebase');
      const code = new URL(String(back.headers?.['location'])).searchParams.get('code') ?? '';
      const basic = { ...form, authorization: `Basic ${Buffer.from('homebase:client-secret-value').toString('base64')}` };
      const tokens = JSON.parse(
        (await command(event('POST', '/oauth2/token', `grant_type=authorization_code&code=${code}`, basic), lambdaContext)).body ?? '',
      ) as { access_token: string; refresh_token: string };
      await command(event('POST', '/oauth2/revoke', `token=${tokens.refresh_token}`, basic), lambdaContext);
      secrets = [
        'wrong-password-value',
        '"homebase"',
        code,
        tokens.access_token,
        tokens.refresh_token,
        request,
        csrf,
        'client-secret-value',
      ];
      expect(secrets.every((secret) => secret.length > 8)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    const logs = written.join('');
    expect(logs).toContain('"route":"POST /oauth2/token","status":200');
    expect(logs).toContain('"route":"POST /oauth2/revoke","status":200');
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
