/** A loopback HTTP server whose every answer a test scripts: for upstream failure modes real servers won't produce on demand. */
import { once } from 'node:events';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Script = (request: SeenRequest) =>
  | { status?: number; json?: unknown; text?: string; delayMs?: number }
  | 'hang'
  | 'reset';

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  script: Script;
  close(): Promise<void>;
}

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const state: ScriptedServer = { url: '', requests: [], script, close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
    state.requests.push(seen);
    const answer = state.script(seen);
    if (answer === 'hang') return; // never answers: the client's timeout must fire
    if (answer === 'reset') return void req.socket.destroy();
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    const body = answer.text ?? JSON.stringify(answer.json ?? {});
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** A loopback URL where nothing listens: bind a port, then free it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
