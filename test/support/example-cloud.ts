/** examples/device-cloud/server.ts (or a copy of it) run as a vendor runs it: its own Node process, settings from the environment. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';

export interface ExampleCloud {
  url: string;
  close(): Promise<void>;
}

export async function startExampleCloud(file: string, env: Record<string, string>): Promise<ExampleCloud> {
  const child: ChildProcess = spawn(process.execPath, [file], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /ready at (http:\/\/\S+)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`the example cloud exited (${code}) before it was ready: ${output}`)));
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

/** An access token for the demo account from the UserCenter stand-in, as the driver gets one at sign-in. */
export async function userCenterToken(userCenterUrl: string, username: string, password: string): Promise<string> {
  const answer = await fetch(`${userCenterUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, md5password: createHash('md5').update(password).digest('hex') }),
  });
  const body = (await answer.json()) as { result: string };
  return (JSON.parse(body.result) as { accessToken: string }).accessToken;
}
