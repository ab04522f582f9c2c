/**
 * A real OAuth 2.0 / OpenID Connect authorization server (oidc-provider) on loopback, standing in
 * for the vendor's: `npm start` offers it with a login page, and the tests use it to catch what a
 * strict provider catches (a refresh token presented twice revokes the whole grant).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { listen } from './loopback.ts';

export interface OAuthAccount {
  username: string;
  password: string;
  /** The `sub` the server issues for the account. */
  accountId: string;
}

export const DEMO_OAUTH_ACCOUNT: OAuthAccount = { username: 'demo', password: 'homebase', accountId: '10001' };

/**
 * What the token endpoint does to the next request: answer with a status (and an OAuth error), never answer, reset the
 * connection before answering, or process the request and then drop the answer (the upstream has
 * rotated the token but the caller never hears of it).
 */
export type TokenFault = { status: number; error?: string } | 'hang' | 'reset' | 'lose-response';

export interface OAuthServerOptions {
  clients: ClientMetadata[];
  accounts?: OAuthAccount[];
  /** Access token lifetime; short lifetimes make refresh testable. */
  accessTokenTtlS?: number;
  port?: number;
}

export interface OAuthServer {
  issuer: string;
  /** Faults for the next token requests, taken one per request. */
  tokenFaults: TokenFault[];
  /** Refresh-token grants the server processed. */
  readonly refreshCalls: number;
  /** Requests to the token endpoint, faulted ones included. */
  readonly tokenCalls: number;
  provider: Provider;
  close(): Promise<void>;
}

export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const accounts = options.accounts ?? [DEMO_OAUTH_ACCOUNT];
  let provider: Provider | undefined;
  const state = { tokenFaults: [] as TokenFault[], refreshCalls: 0, tokenCalls: 0 };

  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`authorization server error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  const bound = await listen(server, options.port ?? 0);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!provider) throw new Error('starting');
    const url = new URL(req.url ?? '/', bound.url);
    const interaction = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    if (interaction) return interact(provider, req, res, accounts, interaction[2] !== undefined);
    return provider.callback()(req, res);
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  provider = new Provider(bound.url, {
    adapter: memoryAdapter(),
    clients: options.clients,
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'local', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, sub) =>
      accounts.some((account) => account.accountId === sub) ? { accountId: sub, claims: async () => ({ sub }) } : undefined,
    features: {
      devInteractions: { enabled: false },
      // A client may revoke its own tokens only (RFC 7009 §2.1), as a real provider checks.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // A first-party server: the user's login is the consent, so the grant is made on the spot.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { Client: client, Session: session } = ctx.oidc.entities;
      if (!client || !session?.accountId) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
      grant.addOIDCScope(ctx.oidc.params?.['scope'] ? String(ctx.oidc.params['scope']) : 'openid');
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtlS ?? 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 30 * 86400,
      RefreshToken: 30 * 86400,
      IdToken: 3600,
    },
  });
  provider.on('server_error', () => undefined);
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token' || ctx.method !== 'POST') return next();
    state.tokenCalls++;
    const fault = state.tokenFaults.shift();
    if (fault === 'hang') return new Promise<void>(() => undefined);
    if (fault === 'reset') return void ctx.req.socket.destroy();
    if (typeof fault === 'object') {
      ctx.status = fault.status;
      // An RFC 6749 §5.2 error when one is named (the grant refused), else an outage's HTML page.
      ctx.type = fault.error ? 'application/json' : 'text/html';
      ctx.body = fault.error ? { error: fault.error, error_description: 'refused by the test' } : '<h1>unavailable</h1>';
      return;
    }
    await next();
    if (ctx.oidc?.params?.['grant_type'] === 'refresh_token') state.refreshCalls++;
    // The grant is processed (a rotated refresh token is already consumed); only the answer is lost.
    if (fault === 'lose-response') ctx.req.socket.destroy();
  });

  return {
    issuer: bound.url,
    get tokenFaults() {
      return state.tokenFaults;
    },
    set tokenFaults(faults) {
      state.tokenFaults = faults;
    },
    get refreshCalls() {
      return state.refreshCalls;
    },
    get tokenCalls() {
      return state.tokenCalls;
    },
    provider,
    close: bound.close,
  };
}

/** The login page, and the form's answer. */
async function interact(provider: Provider, req: IncomingMessage, res: ServerResponse, accounts: OAuthAccount[], submitted: boolean) {
  const details = await provider.interactionDetails(req, res);
  if (!submitted) return page(res, 200, loginForm(details.uid, ''));
  const form = new URLSearchParams(await readBody(req));
  const account = accounts.find((a) => a.username === form.get('username') && a.password === form.get('password'));
  if (form.get('deny') !== null) {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user declined' },
      { mergeWithLastSubmission: false },
    );
  }
  if (!account) return page(res, 200, loginForm(details.uid, 'Wrong username or password.'));
  return provider.interactionFinished(req, res, { login: { accountId: account.accountId } }, { mergeWithLastSubmission: false });
}

const loginForm = (uid: string, error: string) => `<!doctype html>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in</title>
<style>${LOGIN_STYLE}</style>
<main>
<h1>Sign in to the vendor account</h1>
<p class="hint">The local stand-in for the vendor's login page: sign in as <b>${DEMO_OAUTH_ACCOUNT.username}</b> / <b>${DEMO_OAUTH_ACCOUNT.password}</b>.</p>
${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label>Username <input name="username" autocomplete="username" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <div class="buttons"><button>Sign in</button> <button name="deny" value="1" class="quiet">Cancel</button></div>
</form>
</main>`;

/** Plain and readable on a phone; the page is a local stand-in, so a style element of its own is enough. */
const LOGIN_STYLE = `body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6f9;color:#0f1720}
main{max-width:380px;margin:40px auto;padding:24px;background:#fff;border:1px solid #e3e8ef;border-radius:14px}
h1{font-size:20px;margin:0 0 8px}.hint{color:#5b6777;font-size:13px}[role=alert]{color:#b42318}
label{display:block;margin:12px 0;font-size:13px;color:#5b6777}
input{display:block;box-sizing:border-box;width:100%;margin-top:4px;padding:10px;font:inherit;border:1px solid #cfd6e0;border-radius:8px}
.buttons{display:flex;gap:8px;margin-top:16px}button{flex:1;padding:10px;font:inherit;font-weight:600;border:0;border-radius:8px;background:#1f6feb;color:#fff}
button.quiet{background:#eef2f7;color:#0f1720}`;

function page(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * oidc-provider's storage, in memory and one store per server: the server lives as long as the
 * process, which is all a local run or a test needs (and saying so keeps oidc-provider from warning
 * about its development adapter).
 */
function memoryAdapter() {
  const items = new Map<string, { payload: Record<string, unknown>; expiresAt: number | undefined }>();
  return class MemoryAdapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    #key(id: string) {
      return `${this.#model}:${id}`;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      items.set(this.#key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    }

    async find(id: string) {
      const item = items.get(this.#key(id));
      if (!item || (item.expiresAt !== undefined && item.expiresAt <= Date.now())) return undefined;
      return item.payload;
    }

    async findByUserCode(userCode: string) {
      return [...items.values()].find((i) => i.payload['userCode'] === userCode)?.payload;
    }

    async findByUid(uid: string) {
      return [...items.entries()].find(([key, i]) => key.startsWith(`${this.#model}:`) && i.payload['uid'] === uid)?.[1].payload;
    }

    async consume(id: string) {
      const item = items.get(this.#key(id));
      if (item) item.payload['consumed'] = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      items.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string) {
      for (const [key, item] of items) if (item.payload['grantId'] === grantId) items.delete(key);
    }
  };
}
