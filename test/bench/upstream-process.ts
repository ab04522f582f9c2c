/**
 * The simulated upstream for bench:refresh, in a child process: a real account service runs on other
 * machines, so its HTTP server must not take CPU from the refresh job it is serving.
 * Every refresh succeeds after `latencyMs`, with UserCenter's answer shape (seed 004).
 */
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child-server.ts';

if (process.argv[2] === '--serve') {
  const { createServer } = await import('node:http');
  const { randomUUID } = await import('node:crypto');
  const { listen } = await import('../../lib/local/loopback.ts');
  const latencyMs = Number(process.argv[3]);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        const result = JSON.stringify({ accessToken: randomUUID(), refreshToken: randomUUID(), expires_in: '7200' });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 1, result }));
      }, latencyMs),
    );
  });
  console.log((await listen(server)).url);
}

export const startUpstreamProcess = (latencyMs: number) => startChildServer(fileURLToPath(import.meta.url), [String(latencyMs)]);
