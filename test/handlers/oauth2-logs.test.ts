/**
 * The OAuth 2.0 server's log lines, at INFO as deployed. A file of its own: the log level is read when
 * the handlers are first imported, and npm test runs at WARN.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiGatewayEvent } from '../../lib/local/api-gateway.ts';
import { lambdaContext } from '../support/events.ts';
import { startHandlers } from '../support/handlers.ts';

let world: Awaited<ReturnType<typeof startHandlers>> | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('the OAuth 2.0 server in the logs', () => {
  it('logs each request by route and status, and a replayed refresh token as a security event, never a password, code, token or CSRF value', async () => {
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
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    // Warnings (the security event among them) go to stderr.
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(capture),
      vi.spyOn(process.stderr, 'write').mockImplementation(capture),
    ];
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
      const refresh = async (token: string) =>
        command(event('POST', '/oauth2/token', `grant_type=refresh_token&refresh_token=${token}`, basic), lambdaContext);
      const second = JSON.parse((await refresh(tokens.refresh_token)).body ?? '') as { access_token: string; refresh_token: string };
      const third = JSON.parse((await refresh(second.refresh_token)).body ?? '') as { access_token: string; refresh_token: string };
      // A token two rotations old: the family ends, and the security event says how old, with no token in it.
      expect((await refresh(tokens.refresh_token)).statusCode).toBe(400);
      await command(event('POST', '/oauth2/revoke', `token=${tokens.refresh_token}`, basic), lambdaContext);
      secrets = [
        second.access_token,
        second.refresh_token,
        third.access_token,
        third.refresh_token,
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
      for (const spy of spies) spy.mockRestore();
    }
    const logs = written.join('');
    expect(logs).toContain('"route":"POST /oauth2/token","status":200');
    expect(logs).toContain('"route":"POST /oauth2/revoke","status":200');
    expect(logs).toMatch(/"securityEvent":"refresh_token_replayed","linkId":"[\w-]+","vendorUserId":"\w+","rotationsAgo":2/);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
