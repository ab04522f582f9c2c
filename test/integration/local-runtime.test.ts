/**
 * The local runtime's own safety: its local-only routes (the playground, /local/*) answer only their own address
 * (DNS rebinding), runtime.json keeps the settings and nothing else, and the features npm start turns on by itself
 * can be turned off.
 */

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalDriver, startLocalDriver } from '../../lib/local/driver.ts';

/** A request with the Host and Origin a browser would send, which fetch does not let a caller set. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body = '') {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: res.headers['content-type']?.includes('json') ? JSON.parse(text) : text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JWT_BODY = JSON.stringify({ userId: 'vendor-user-1' });

describe('local-only routes answer only their own address', () => {
  let driver: LocalDriver;
  let port: string;
  beforeAll(async () => {
    driver = await startLocalDriver({ port: 0, events: 'off', settings: { PUBLIC_BASE_URL: 'https://tunnel.example.com' } });
    port = new URL(driver.url).port;
  });
  afterAll(() => driver.close());

  it.each([
    ['127.0.0.1', () => `127.0.0.1:${port}`],
    ['localhost', () => `localhost:${port}`],
    ['[::1]', () => `[::1]:${port}`],
    ["PUBLIC_BASE_URL's host", () => 'tunnel.example.com'],
  ])('accepts the Host %s, with or without its own Origin', async (_name, host) => {
    const bare = await send(driver.url, 'POST', '/playground/jwt', { host: host() }, JWT_BODY);
    expect(bare.status).toBe(200);
    expect(typeof bare.body.token).toBe('string');
    const scheme = host() === 'tunnel.example.com' ? 'https' : 'http';
    const own = await send(driver.url, 'POST', '/playground/jwt', { host: host(), origin: `${scheme}://${host()}` }, JWT_BODY);
    expect(own.status).toBe(200);
  });

  it('refuses a rebound name, a loopback name on another port and a bare loopback name, with 403 and the reason', async () => {
    for (const host of ['attacker.example', `attacker.example:${port}`, '127.0.0.1:1', 'localhost']) {
      const answer = await send(driver.url, 'POST', '/playground/jwt', { host }, JWT_BODY);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({
        message: `Forbidden: the Host "${host}" is not this driver's (127.0.0.1:${port}, localhost:${port}, [::1]:${port}, tunnel.example.com). The playground and /local/* answer only their own address, so a page on another site cannot reach them by DNS rebinding.`,
      });
    }
  });

  it('refuses a cross-site Origin (and the opaque "null") on every local-only route, with 403 and the reason', async () => {
    const routes = [
      ['POST', '/playground/jwt'],
      ['POST', '/playground/oauth2-token'],
      ['POST', '/playground/sign-out'],
      ['POST', '/playground/at-device'],
      ['POST', '/playground/state-reports/grant'],
      ['GET', '/playground/state-reports/events'],
      ['GET', '/local/callback'],
      ['GET', '/local/oauth2-callback'],
      ['GET', '/'],
    ];
    for (const origin of ['https://attacker.example', 'null', `http://127.0.0.1:1`]) {
      for (const [method, path] of routes) {
        const answer = await send(driver.url, method!, path!, { host: `127.0.0.1:${port}`, origin }, method === 'GET' ? '' : JWT_BODY);
        expect([path, answer.status]).toEqual([path, 403]);
        expect(answer.body).toEqual({
          message: `Forbidden: the Origin "${origin}" is another site's. The playground and /local/* answer only pages of their own origin (http://127.0.0.1:${port}, http://localhost:${port}, http://[::1]:${port}, http://tunnel.example.com).`,
        });
      }
    }
  });

  it('leaves the protocol routes to Homebase, from anywhere', async () => {
    const answer = await send(driver.url, 'POST', '/list', { host: 'attacker.example', origin: 'https://attacker.example' }, '{}');
    expect(answer.status).toBe(200);
    expect(answer.body.errorName).toBe('E_DRIVER_ERROR');
  });
});

describe('what npm start turns on by itself', () => {
  it('an empty ROKID_JWT_APP_ID turns JWT off rather than being refused, and says how to turn it on', async () => {
    const driver = await startLocalDriver({ port: 0, playground: 'off', events: 'off', settings: { ROKID_JWT_APP_ID: '' } });
    try {
      expect(driver.config.ROKID_JWT_APP_ID).toBeUndefined();
      expect(driver.off).toEqual({
        jwt: 'ROKID_JWT_APP_ID is empty; unset it to turn JWT on',
        stateReports: 'LOCAL_EVENTS=off; unset it to turn them on',
      });
    } finally {
      await driver.close();
    }
  });

  it('LOCAL_EVENTS=on with the http cloud and no service token is refused, naming the setting', async () => {
    await expect(
      startLocalDriver({
        port: 0,
        playground: 'off',
        events: 'on',
        settings: { DEVICE_CLOUD: 'http', DEVICE_CLOUD_URL: 'http://127.0.0.1:1' },
      }),
    ).rejects.toThrow(
      'LOCAL_EVENTS=on with DEVICE_CLOUD=http needs DEVICE_CLOUD_SERVICE_TOKEN: a state report reads the device with no user request to hand.',
    );
  });
});

describe('a playground failure no route foresaw', () => {
  it('answers its message, never a bare 500', async () => {
    // The OAuth 2.0 server the token route posts to is at PUBLIC_BASE_URL, where nothing listens.
    const driver = await startLocalDriver({ port: 0, events: 'off', settings: { PUBLIC_BASE_URL: 'http://127.0.0.1:1' } });
    try {
      const answer = await send(
        driver.url,
        'POST',
        '/playground/oauth2-token',
        { host: new URL(driver.url).host },
        JSON.stringify({ grant_type: 'authorization_code', code: 'x' }),
      );
      expect(answer).toEqual({ status: 500, body: { message: 'POST /playground/oauth2-token failed: fetch failed' } });
    } finally {
      await driver.close();
    }
  });
});

describe('several drivers in one process (as the tests run them)', () => {
  it("one's event-source mapping keeps polling its own queue when another closes, and prints nothing", async () => {
    const errors = vi.spyOn(console, 'error');
    const first = await startLocalDriver({ port: 0, playground: 'off', settings: { REFRESH_INTERVAL_S: '3600' } });
    try {
      const second = await startLocalDriver({ port: 0, playground: 'off', settings: { REFRESH_INTERVAL_S: '3600' } });
      await second.close();
      // Polls wait a second each: two rounds at least.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await first.events!.poller.idle();
      expect(errors.mock.calls.filter(([first]) => String(first).startsWith('state reports'))).toEqual([]);
    } finally {
      errors.mockRestore();
      await first.close();
    }
  }, 30_000);
});

describe('runtime.json', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'homebase-runtime-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('holds the config schema’s keys only, even from an environment that holds more, readable by its owner only', async () => {
    const driver = await startLocalDriver({
      port: 0,
      dataDir,
      playground: 'off',
      events: 'off',
      settings: { REFRESH_INTERVAL_S: '3600', ...({ AWS_SECRET_ACCESS_KEY: 'shell-secret', PATH: '/usr/bin' } as object) },
    });
    try {
      const path = join(dataDir, 'runtime.json');
      const { settings } = JSON.parse(await readFile(path, 'utf8')) as { settings: Record<string, string> };
      expect(settings['REFRESH_INTERVAL_S']).toBe('3600');
      expect(settings['AWS_SECRET_ACCESS_KEY']).toBeUndefined();
      expect(settings['PATH']).toBeUndefined();
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    } finally {
      await driver.close();
    }
  });
});
