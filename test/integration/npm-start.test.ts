import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../functions/config.ts';
import { startDeviceCloud } from '../../lib/local/device-cloud-server.ts';
import { SERVICE_TOKEN_NEEDED } from '../../lib/local/local-defaults.ts';
import { bearer, discover } from '../support/v2.ts';

/** Started and not yet exited: a failed test stops them, so the next finds its data directory free. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `node bin/start.ts` (what `npm start` runs) and waits for its ready line. */
async function start(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['bin/start.ts'], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PORT: '0', DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  running.add(child);
  child.on('exit', () => running.delete(child));
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 20 s:\n${output}`)), 20_000);
    child.stdout!.on('data', () => {
      const match = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${output}`)));
  });
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

/** Every directory and file under `dir` with its mode, deepest last. */
async function modesUnder(dir: string): Promise<Array<{ path: string; mode: number; directory: boolean }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const all = [{ path: dir, directory: true }, ...entries.map((e) => ({ path: join(e.parentPath, e.name), directory: e.isDirectory() }))];
  return Promise.all(all.map(async (e) => ({ ...e, mode: (await stat(e.path)).mode & 0o777 })));
}

const post = async (url: string, body: unknown) =>
  (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as {
    status: number;
    data?: any;
  };

// Each test starts npm start itself, more than once: slower than vitest's default allows on a busy machine.
describe('npm start', { timeout: 60_000 }, () => {
  let parent: string;
  let dataDir: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'homebase-start-'));
    // As an older run left it: readable by all, which npm start closes.
    dataDir = join(parent, 'data');
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('prints ready with copy-paste examples, stops cleanly on Ctrl-C, and keeps its data across restarts', async () => {
    const first = await start(dataDir, { UNRELATED_SHELL_SECRET: 'not-a-setting' });
    expect(first.output()).toContain(
      `curl -s ${first.url}/command -H 'content-type: application/json' -d '{"command":"login","params":{"username":"demo","password":"homebase"}}'`,
    );
    // The playground and the standard OAuth 2.0 server's metadata, with the local client to try it.
    expect(first.output()).toContain(`Open ${first.url}/ in a browser for the playground`);
    expect(first.output()).toContain(`  ${first.url}/.well-known/oauth-authorization-server\n`);
    expect(first.output()).toMatch(
      /The local client is rokid-homebase-local, secret [\w-]{32}\. The secret is printed here\nonly, for pasting/,
    );
    const secret = /secret ([\w-]{32})\./.exec(first.output())![1]!;
    expect(first.output().split(secret)).toHaveLength(2);
    // The page Homebase's redirect lands on shows how to redeem the code, but never the secret.
    const callback = await (await fetch(`${first.url}/local/oauth2-callback?code=x`)).text();
    expect(callback).toContain('&lt;client secret&gt;');
    expect(callback).not.toContain(secret);

    // It names the device cloud in use, and what it turned on.
    expect(first.output()).toContain("Devices: the virtual device cloud (the demo home, kept in the driver's table).");
    expect(first.output()).toContain('v2 JWT authorization: on.\nState reports: on.');
    expect(first.output()).toContain('sign in, control the demo home, watch the protocol');
    // runtime.json carries the settings the handlers run with, and nothing else of the shell's environment.
    const runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as { settings: Record<string, string> };
    expect(Object.keys(runtime.settings).filter((key) => !(CONFIG_KEYS as string[]).includes(key))).toEqual([]);
    expect(JSON.stringify(runtime)).not.toContain('not-a-setting');
    expect(runtime.settings['DEVICE_CLOUD']).toBeUndefined();
    expect(runtime.settings['TABLE_NAME']).toBe('homebase-driver');
    // The data directory and everything in it are the owner's alone.
    const modes = await modesUnder(dataDir);
    expect(modes.filter((e) => e.mode !== (e.directory ? 0o700 : 0o600))).toEqual([]);
    expect(modes.map((e) => e.path)).toContain(join(dataDir, 'credentials.key'));

    const { data: userAuth } = await post(`${first.url}/command`, { command: 'login', params: { username: 'demo', password: 'homebase' } });
    const { data: devices } = await post(`${first.url}/list`, { userAuth });
    // One line a person can read per request, and no JSON log line for it.
    await expect.poll(() => first.output(), { timeout: 10_000 }).toMatch(/^\d\d:\d\d:\d\d POST \/list 200 \d+ ms$/m);
    expect(first.output()).toMatch(/^\d\d:\d\d:\d\d POST \/command 200 \d+ ms$/m);
    expect(first.output()).not.toContain('"message":"request"');
    const tv = devices.find((d: { type: string }) => d.type === 'tv');
    await post(`${first.url}/execute`, {
      device: { deviceId: tv.deviceId, userAuth },
      action: { property: 'volume', name: 'num', value: 77 },
    });
    // A refusal answered 200 says so in its line: v1's envelope and v2's ErrorResponse alike.
    await post(`${first.url}/execute`, {
      device: { deviceId: tv.deviceId, userAuth: { ...userAuth, userToken: 'revoked' } },
      action: { property: 'volume', name: 'num', value: 70 },
    });
    await post(`${first.url}/v2`, discover(bearer('revoked')));
    await expect.poll(() => first.output(), { timeout: 10_000 }).toMatch(/^\d\d:\d\d:\d\d POST \/execute 200 E_DRIVER_SIGN_ERROR \d+ ms$/m);
    await expect.poll(() => first.output(), { timeout: 10_000 }).toMatch(/^\d\d:\d\d:\d\d POST \/v2 200 E_INVALID_AUTHORIZATION \d+ ms$/m);
    expect(first.output()).toMatch(/^\d\d:\d\d:\d\d POST \/execute 200 \d+ ms$/m);
    expect(await stop(first.child)).toBe(0);
    // The UserCenter stand-in's tokens are its owner's alone, even from a file an older run left readable.
    expect((await stat(join(dataDir, 'usercenter.json'))).mode & 0o777).toBe(0o600);
    await chmod(join(dataDir, 'usercenter.json'), 0o644);

    const second = await start(dataDir);
    try {
      const answer = await post(`${second.url}/list`, { userAuth });
      expect(answer.status).toBe(0);
      expect(answer.data.find((d: { type: string }) => d.type === 'tv').state.volume).toBe(77);
      expect((await stat(join(dataDir, 'usercenter.json'))).mode & 0o777).toBe(0o600);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  });

  it('a second npm start on the same data directory says which directory is in use, exits non-zero, and prints no stack', async () => {
    const first = await start(dataDir);
    try {
      const second = spawn(process.execPath, ['bin/start.ts'], {
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PORT: '0', DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      second.stdout!.on('data', (chunk) => (output += chunk));
      second.stderr!.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
      expect(code).toBe(1);
      expect(output.trim()).toBe(
        `homebase-driver could not start: the data directory ${dataDir} is in use by another npm start (process ${first.child.pid}); stop that one, or set DATA_DIR to another directory`,
      );
    } finally {
      await stop(first.child);
    }
    // Stopped, the first leaves the directory free for the next start.
    const third = await start(dataDir);
    expect(await stop(third.child)).toBe(0);
  });

  it('DEVICE_CLOUD=http and DEVICE_CLOUD_URL start it: v1 and v2 BearerToken reach the cloud, JWT and state reports wait for DEVICE_CLOUD_SERVICE_TOKEN', async () => {
    // A vendor's cloud: it names the user by the bearer token the driver passes on.
    const cloud = await startDeviceCloud({
      authenticate: (authorization) => (authorization?.startsWith('Bearer ') ? 'vendor-user' : undefined),
    });
    const dir = join(parent, 'http-cloud');
    try {
      const plain = await start(dir, { DEVICE_CLOUD: 'http', DEVICE_CLOUD_URL: cloud.url });
      expect(plain.output()).toContain(
        `Devices: your device cloud at ${cloud.url} (DEVICE_CLOUD=http).
v1, and v2 with a driver access token as BearerToken: on.
v2 JWT authorization: off (${SERVICE_TOKEN_NEEDED}).
State reports: off (${SERVICE_TOKEN_NEEDED}).`,
      );
      expect(plain.output()).toContain('sign in, control the devices your cloud lists, watch the protocol');
      expect(plain.output()).not.toContain('demo home,');
      const { data: userAuth } = await post(`${plain.url}/command`, {
        command: 'login',
        params: { username: 'demo', password: 'homebase' },
      });
      const listed = await post(`${plain.url}/list`, { userAuth });
      expect(listed.status).toBe(0);
      expect(listed.data.length).toBeGreaterThan(0);
      const discovered = (await post(`${plain.url}/v2`, discover(bearer(userAuth.userToken)))) as unknown as Record<string, any>;
      expect(discovered['header'].name).toBe('DiscoveryResponse');
      expect(discovered['payload'].endpoints.map((e: { endpointId: string }) => e.endpointId)).toEqual(
        listed.data.map((d: { deviceId: string }) => d.deviceId),
      );
      expect(await stop(plain.child)).toBe(0);

      const withToken = await start(dir, {
        DEVICE_CLOUD: 'http',
        DEVICE_CLOUD_URL: cloud.url,
        DEVICE_CLOUD_SERVICE_TOKEN: 'chosen-by-the-vendor',
      });
      expect(withToken.output()).toContain('v2 JWT authorization: on.\nState reports: on.');
      expect(await stop(withToken.child)).toBe(0);
    } finally {
      await cloud.close();
    }
  });
});
