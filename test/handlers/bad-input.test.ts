import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EnvelopeCipher } from '../../functions/adapters/crypto/envelope-cipher.ts';
import { apiEvent } from '../support/events.ts';
import { startHandlers } from '../support/handlers.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  // A first wait of a minute, so that the sixth guess below meets it however slowly the five before it ran.
  driver = await startHandlers({ LOGIN_DELAY_BASE_S: '60' });
});
afterAll(() => driver.close());
const call: typeof driver.call = (...args) => driver.call(...args);

const json = (value: unknown) => JSON.stringify(value);
const auth = { userId: 'u', userToken: 'hbu.nolink.secret' };

describe('malformed and hostile requests', () => {
  it.each([
    ['no content type', 'list', json({ userAuth: auth }), {}, 'The request must have Content-Type: application/json.'],
    [
      'a text/plain body',
      'list',
      json({ userAuth: auth }),
      { 'content-type': 'text/plain' },
      'The request must have Content-Type: application/json.',
    ],
    ['malformed JSON', 'list', '{"userAuth":', undefined, 'The request body is not valid JSON.'],
    ['no body at all', 'execute', undefined, undefined, 'The request body is not valid JSON.'],
    [
      'a __proto__ key',
      'list',
      '{"__proto__":{"admin":true}}',
      undefined,
      'The JSON body uses a forbidden key (__proto__ or constructor.prototype).',
    ],
    ['a JSON array', 'list', '[]', undefined, 'Invalid /list request: userAuth is required'],
    ['a JSON string', 'list', '"hi"', undefined, 'Invalid /list request: the body: expected Object'],
    ['no userAuth', 'list', '{}', undefined, 'Invalid /list request: userAuth is required'],
    [
      'a numeric userToken',
      'list',
      json({ userAuth: { userToken: 7 } }),
      undefined,
      'Invalid /list request: userAuth.userToken: expected string',
    ],
    [
      'an empty userToken',
      'list',
      json({ userAuth: { userToken: '' } }),
      undefined,
      'Invalid /list request: userAuth.userToken must not be empty',
    ],
    [
      'no device',
      'execute',
      json({ action: { property: 'switch', name: 'on' } }),
      undefined,
      'Invalid /execute request: device is required',
    ],
    [
      'no deviceId',
      'execute',
      json({ device: { userAuth: auth }, action: { property: 'switch', name: 'on' } }),
      undefined,
      'Invalid /execute request: device.deviceId is required',
    ],
    [
      'no userAuth on the device',
      'execute',
      json({ device: { deviceId: 'd' }, action: { property: 'switch', name: 'on' } }),
      undefined,
      'Invalid /execute request: device.userAuth is required',
    ],
    [
      'no action',
      'execute',
      json({ device: { deviceId: 'd', userAuth: auth } }),
      undefined,
      'Invalid /execute request: action is required',
    ],
    [
      'an unknown property',
      'execute',
      json({ device: { deviceId: 'd', userAuth: auth }, action: { property: 'warp', name: 'on' } }),
      undefined,
      'Invalid /execute request: action.property: expected "switch" | "color"',
    ],
    [
      'an action without a name',
      'execute',
      json({ device: { deviceId: 'd', userAuth: auth }, action: { property: 'switch' } }),
      undefined,
      'Invalid /execute request: action.name is required',
    ],
    [
      'a device state that is not an object',
      'execute',
      json({ device: { deviceId: 'd', userAuth: auth, state: 'on' }, action: { property: 'switch', name: 'on' } }),
      undefined,
      'Invalid /execute request: device.state: expected Object',
    ],
    [
      '/get without any userAuth',
      'get',
      json({ device: { deviceId: 'd' } }),
      undefined,
      'Invalid /get request: the body: expected userAuth beside the device or inside it',
    ],
    ['no command', 'command', json({ params: {} }), undefined, 'Invalid /command request: command is required'],
    [
      'params that are not an object',
      'command',
      json({ command: 'login', params: 'x' }),
      undefined,
      'Invalid /command request: params: expected Object',
    ],
    [
      'an unknown command',
      'command',
      json({ command: 'fly', params: {} }),
      undefined,
      'Unknown command "fly". This driver supports: login, Login, OAuthRefresh, refreshToken.',
    ],
    [
      'login without a username',
      'command',
      json({ command: 'login', params: { password: 'x' } }),
      undefined,
      'Invalid login command: params.username is required',
    ],
  ] as const)('%s gets E_DRIVER_ERROR', async (_case, to, body, headers, message) => {
    const answer = await call(to, body, headers);
    expect(answer).toEqual({ status: 1, errorName: 'E_DRIVER_ERROR', message: expect.stringContaining(message) });
  });

  it('refuses a body over 64 KiB, plain or base64-encoded, and accepts one of exactly 64 KiB', async () => {
    const sized = (bytes: number) => {
      const base = json({ userAuth: auth });
      return `${base.slice(0, -1) + ' '.repeat(bytes - base.length)}}`;
    };
    const over = await call('list', sized(65_537));
    expect(over).toMatchObject({
      errorName: 'E_DRIVER_ERROR',
      message: 'The request body is 65537 bytes; the limit is 65536 bytes (64 KiB).',
    });

    const event = apiEvent('POST /list', Buffer.from(sized(70_000)).toString('base64'));
    event.isBase64Encoded = true;
    const encoded = await driver.invoke('list', event);
    expect(encoded).toMatchObject({ errorName: 'E_DRIVER_ERROR', message: expect.stringContaining('70000 bytes') });

    const exact = await call('list', sized(65_536));
    expect(exact).toMatchObject({ errorName: 'E_DRIVER_SIGN_ERROR' }); // parsed, then refused on its merits
  });

  it('reads JSON sent with a charset or a +json content type', async () => {
    for (const type of ['application/json; charset=UTF-8', 'application/json;charset=utf-8', 'application/vnd.rokid+json']) {
      // Parsed and judged on its merits: the token is not one of ours.
      expect(await call('list', json({ userAuth: auth }), { 'content-type': type })).toMatchObject({ errorName: 'E_DRIVER_SIGN_ERROR' });
    }
  });

  it('answers a token it never issued with E_DRIVER_SIGN_ERROR', async () => {
    expect(await call('list', json({ userAuth: { userToken: 'not-ours' } }))).toMatchObject({
      status: 1,
      errorName: 'E_DRIVER_SIGN_ERROR',
    });
  });

  it('answers a wrong password with E_DRIVER_WRONG_USERNAME_PASSWORD', async () => {
    expect(await call('command', json({ command: 'login', params: { username: 'demo', password: 'nope' } }))).toMatchObject({
      status: 1,
      errorName: 'E_DRIVER_WRONG_USERNAME_PASSWORD',
    });
  });
});

describe('ids too long for a table key', () => {
  const long = 'x'.repeat(5000);
  const errors: string[] = [];

  it('refuses each with the protocol error for its field, before it reaches DynamoDB, and logs no error', async () => {
    const { logger } = await import('../../functions/observability.ts');
    const spy = vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(String(args[0]));
    });
    try {
      const login = await call('command', json({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
      const userAuth = login.data as { userToken: string };
      expect(await call('execute', json({ device: { deviceId: long, userAuth }, action: { property: 'switch', name: 'on' } }))).toEqual({
        status: 1,
        errorName: 'E_DRIVER_DEVICE_NO_FOUND',
        message: `Device "${'x'.repeat(64)}…" was not found in your account. It may have been removed; refresh the device list.`,
      });
      expect(await call('get', json({ device: { deviceId: long }, userAuth }))).toMatchObject({ errorName: 'E_DRIVER_DEVICE_NO_FOUND' });
      expect(await call('list', json({ userAuth: { userToken: `hbu.${long}.secret` } }))).toEqual({
        status: 1,
        errorName: 'E_DRIVER_SIGN_ERROR',
        message:
          'Your sign-in is no longer valid. Sign in to your account again in the Rokid app. (The userToken was not issued by this driver.)',
      });
      expect(
        await call('command', json({ command: 'OAuthRefresh', params: { refreshToken: `hbr.${long.slice(0, 500)}.s` } })),
      ).toMatchObject({
        errorName: 'E_INVALID_AUTHORIZATION',
        message: expect.stringContaining('(The refreshToken was not issued by this driver.)'),
      });
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([]);
  });
});

describe('password guessing', () => {
  it('is refused after 5 failures without reaching the account service, and the table holds no username', async () => {
    let upstreamCalls = 0;
    driver.userCenter.server.on('request', () => upstreamCalls++);
    const guess = () => call('command', json({ command: 'login', params: { username: 'guessed-user', password: 'nope' } }));
    for (let i = 0; i < 5; i++) expect(await guess()).toMatchObject({ errorName: 'E_DRIVER_WRONG_USERNAME_PASSWORD' });
    const calls = upstreamCalls;
    expect(await guess()).toMatchObject({
      errorName: 'E_DRIVER_LOGIN_FAILED',
      message: expect.stringContaining('Too many failed sign-in attempts'),
    });
    expect(upstreamCalls).toBe(calls);
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Items = [] } = await driver.table.db.send(new ScanCommand({ TableName: driver.table.tableName }));
    const attempts = Items.filter((item) => String(item['pk']).startsWith('ATTEMPT#'));
    expect(attempts.length).toBeGreaterThan(0);
    expect(JSON.stringify(attempts)).not.toContain('guessed-user');
    expect(JSON.stringify(attempts)).not.toContain('127.0.0.1');
  });
});

describe('vendor credentials', () => {
  it('are never decrypted by a /list or /execute on a cloud that does not use them', async () => {
    const login = await call('command', json({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
    const userAuth = login.data as { userToken: string; refreshToken: string };
    const opened = vi.spyOn(EnvelopeCipher.prototype, 'open');
    const listed = await call('list', json({ userAuth }));
    const light = (listed.data as { deviceId: string; actions: Record<string, unknown> }[]).find((d) => d.actions['switch'])!;
    await call('execute', json({ device: { deviceId: light.deviceId, userAuth }, action: { property: 'switch', name: 'on' } }));
    expect(opened).not.toHaveBeenCalled();
    // The spy does see an opening: rotating the driver's tokens rewrites the link, credentials and all.
    await call('command', json({ command: 'OAuthRefresh', params: { refreshToken: userAuth.refreshToken } }));
    expect(opened).toHaveBeenCalled();
    opened.mockRestore();
  });
});
