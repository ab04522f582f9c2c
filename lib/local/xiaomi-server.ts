/**
 * An authorization server in the shape of Xiaomi's account OAuth, which seed 003's callback service
 * fronts, for `npm start` (`LOCAL_UPSTREAM_STYLE=xiaomi`) and the tests. oidc-provider cannot bend this
 * far from the RFCs, so this is a small server of its own:
 *
 * - `GET /oauth2/authorize`: a sign-in page (demo / homebase), then a redirect with `code` and `state`;
 *   errors come back as `error=<number>`.
 * - `GET /oauth2/token`: every parameter in the query, `client_secret` included, on both grants; the
 *   refresh grant wants `redirect_uri` too. Answers are `&&&START&&&` + JSON, tokens of type `mac`
 *   with `mac_key`, `mac_algorithm: HmacSha1` and the user's `openId`. Errors are HTTP 200 with a
 *   numeric `error`. A refresh token works once.
 *
 * It also tells a device-cloud stand-in whose a token is and what its mac_key is (`tokenInfo`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { escapeHtml } from '../../functions/http/browser-handler.ts';
import { listen } from './loopback.ts';

export const XIAOMI_PREFIX = '&&&START&&&';

export interface XiaomiClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface XiaomiAccount {
  username: string;
  password: string;
  openId: string;
}

export const DEMO_XIAOMI_ACCOUNT: XiaomiAccount = { username: 'demo', password: 'homebase', openId: '2.0XDEMO10001' };

/** Error codes in the style of Xiaomi's numeric list; the descriptions say what each means. */
const XIAOMI_ERRORS = {
  invalidClient: { error: 96006, error_description: 'invalid client id or client secret' },
  invalidRedirect: { error: 96008, error_description: 'redirect uri mismatch' },
  invalidCode: { error: 96011, error_description: 'invalid authorization code' },
  invalidRefreshToken: { error: 96013, error_description: 'invalid refresh token' },
  invalidRequest: { error: 96001, error_description: 'invalid request parameters' },
} as const;

interface Issued {
  openId: string;
  macKey: string;
  expiresAt: number;
  redirectUri: string;
}

export interface XiaomiServer {
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** What a device-cloud stand-in needs to check a MAC-signed request. */
  tokenInfo(accessToken: string): { openId: string; macKey: string } | undefined;
  /** Refresh grants that succeeded. */
  readonly refreshCalls: number;
  close(): Promise<void>;
}

export async function startXiaomiServer(options: {
  clients: XiaomiClient[];
  accounts?: XiaomiAccount[];
  accessTokenTtlS?: number;
  port?: number;
}): Promise<XiaomiServer> {
  const accounts = options.accounts ?? [DEMO_XIAOMI_ACCOUNT];
  const ttl = options.accessTokenTtlS ?? 7200;
  const codes = new Map<string, { clientId: string; redirectUri: string; openId: string }>();
  const accessTokens = new Map<string, Issued>();
  const refreshTokens = new Map<string, { clientId: string; openId: string; redirectUri: string }>();
  let refreshCalls = 0;
  const token = () => randomBytes(24).toString('base64url');

  const server = createServer((req, res) => {
    void route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('account service error');
    });
  });
  const bound = await listen(server, options.port ?? 0);

  function answer(res: ServerResponse, body: object): void {
    // Xiaomi's content type is text, and its JSON comes after a fixed prefix.
    res.writeHead(200, { 'content-type': 'text/html;charset=UTF-8' }).end(`${XIAOMI_PREFIX}${JSON.stringify(body)}`);
  }

  function issue(clientId: string, openId: string, redirectUri: string): object {
    const accessToken = token();
    const refreshToken = token();
    const macKey = token();
    accessTokens.set(accessToken, { openId, macKey, expiresAt: Date.now() / 1000 + ttl, redirectUri });
    refreshTokens.set(refreshToken, { clientId, openId, redirectUri });
    // The spacing of Xiaomi's published sample, stray spaces and all.
    return {
      access_token: accessToken,
      expires_in: ttl,
      refresh_token: refreshToken,
      scope: '1 3',
      'token_type ': 'mac',
      'mac_key ': macKey,
      mac_algorithm: ' HmacSha1',
      openId,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', bound.url);
    if (url.pathname === '/oauth2/authorize') return authorize(req, res, url);
    if (url.pathname === '/oauth2/token' && req.method === 'GET') return answer(res, tokenAnswer(url.searchParams));
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  async function authorize(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const params = url.searchParams;
    const client = options.clients.find((c) => c.clientId === params.get('client_id'));
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!client?.redirectUris.includes(redirectUri)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid client or redirect_uri');
      return;
    }
    const back = (query: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [name, value] of Object.entries({ ...query, ...(params.get('state') ? { state: params.get('state') ?? '' } : {}) })) {
        target.searchParams.set(name, value);
      }
      res.writeHead(302, { location: target.href }).end();
    };
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      if (form.get('cancel')) return back({ error: '96005', error_description: 'user denied' });
      const account = accounts.find((a) => a.username === form.get('username') && a.password === form.get('password'));
      if (!account) return page(res, url, 'Wrong account or password.');
      const code = token();
      codes.set(code, { clientId: client.clientId, redirectUri, openId: account.openId });
      return back({ code });
    }
    return page(res, url);
  }

  /** The token endpoint's answer to these parameters: tokens, or one of the numeric errors. */
  function tokenAnswer(params: URLSearchParams): object {
    const client = options.clients.find((c) => c.clientId === params.get('client_id') && c.clientSecret === params.get('client_secret'));
    if (!client) return XIAOMI_ERRORS.invalidClient;
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!client.redirectUris.includes(redirectUri)) return XIAOMI_ERRORS.invalidRedirect;
    if (params.get('grant_type') === 'authorization_code') {
      const code = codes.get(params.get('code') ?? '');
      codes.delete(params.get('code') ?? '');
      if (!code || code.clientId !== client.clientId || code.redirectUri !== redirectUri) return XIAOMI_ERRORS.invalidCode;
      return issue(client.clientId, code.openId, redirectUri);
    }
    if (params.get('grant_type') === 'refresh_token') {
      const presented = params.get('refresh_token') ?? '';
      const grant = refreshTokens.get(presented);
      // Single use: a refresh token is gone once presented.
      refreshTokens.delete(presented);
      if (!grant || grant.clientId !== client.clientId) return XIAOMI_ERRORS.invalidRefreshToken;
      refreshCalls++;
      return issue(client.clientId, grant.openId, redirectUri);
    }
    return XIAOMI_ERRORS.invalidRequest;
  }

  return {
    url: bound.url,
    authorizeUrl: `${bound.url}/oauth2/authorize`,
    tokenUrl: `${bound.url}/oauth2/token`,
    tokenInfo: (accessToken) => {
      const issued = accessTokens.get(accessToken);
      return issued && issued.expiresAt > Date.now() / 1000 ? { openId: issued.openId, macKey: issued.macKey } : undefined;
    },
    get refreshCalls() {
      return refreshCalls;
    },
    close: bound.close,
  };
}

function page(res: ServerResponse, url: URL, problem?: string): void {
  const action = escapeHtml(`${url.pathname}${url.search}`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>小米帐号 (local stand-in)</title>
<h1>小米帐号 · Xiaomi account (local stand-in)</h1>
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="${action}">
<label>Account <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button> <button type="submit" name="cancel" value="1">Cancel</button>
</form>`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
