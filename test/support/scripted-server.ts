/** A loopback HTTP server whose every answer a test scripts: for upstream failure modes real servers won't produce on demand. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listen } from '../../lib/local/loopback.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Script = (
  request: SeenRequest,
) => { status?: number; json?: unknown; text?: string; contentType?: string; delayMs?: number } | 'hang' | 'reset';

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
    res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' }).end(body);
  });
  const { url, close } = await listen(server);
  state.url = url;
  state.close = close;
  return state;
}

/** A loopback URL where nothing listens: bind a port, then free it. */
export async function closedPortUrl(): Promise<string> {
  const { url, close } = await listen(createServer());
  await close();
  return url;
}
