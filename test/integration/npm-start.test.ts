import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Starts `node bin/start.ts` (what `npm start` runs) and waits for its ready line. */
async function start(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['bin/start.ts'], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], PORT: '0', DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
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

const post = async (url: string, body: unknown) =>
  (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as {
    status: number;
    data?: any;
  };

describe('npm start', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'homebase-start-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('prints ready with copy-paste examples, stops cleanly on Ctrl-C, and keeps its data across restarts', async () => {
    const first = await start(dataDir);
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
});
