/**
 * A UserCenter-compatible account service (seed 004) for local runs and tests: the seed's paths,
 * field names (both spellings where the seed uses two), inverted status (1 = success) and
 * JSON-in-a-string `result`. It is a stand-in for the vendor's real service, not a product.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from './loopback.ts';

export interface UserCenterAccount {
  userId: string;
  username: string;
  password: string;
  /** The code a validate-code login accepts (UserCenter would have sent it by SMS). */
  validateCode?: string;
  nickname?: string;
}

export interface UserCenterServerOptions {
  accounts: UserCenterAccount[];
  /** When set, /oauth/token refuses other values of sysid / client_id. */
  sysId?: string;
  clientId?: string;
  shaAlgorithm?: 'sha1' | 'sha256' | 'sha512';
  tokenTtlS?: number;
  /** A JSON file that keeps issued tokens across restarts. */
  statePath?: string;
  port?: number;
}

export const DEMO_ACCOUNT: UserCenterAccount = {
  userId: '10001',
  username: 'demo',
  password: 'homebase',
  validateCode: '246810',
  nickname: 'Demo User',
};

/** The demo account's userAuth at a driver (`<baseUrl>/command`), from the login command, as Homebase gets it. */
export async function demoUserAuth(baseUrl: string): Promise<{ userId: string; userToken: string }> {
  const response = await fetch(`${baseUrl}/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'login', params: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password } }),
  });
  const answer = (await response.json()) as { status: number; message?: string; data?: { userId: string; userToken: string } };
  if (!answer.data) throw new Error(`The demo account could not sign in at ${baseUrl}: ${answer.message ?? `status ${answer.status}`}`);
  return answer.data;
}

interface IssuedToken {
  userId: string;
  refreshToken: string;
  expiresAt: number;
}
interface State {
  tokens: Record<string, IssuedToken>;
  /** refresh token → access token */
  refresh: Record<string, string>;
}

export interface UserCenterServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startUserCenter(options: UserCenterServerOptions): Promise<UserCenterServer> {
  const sha = options.shaAlgorithm ?? 'sha1';
  const ttl = options.tokenTtlS ?? 86_400;
  const state = load(options.statePath);
  const save = () => {
    // It holds the stand-in's access and refresh tokens: its owner's alone, even if an older run made it readable.
    if (options.statePath) {
      writeFileSync(options.statePath, JSON.stringify(state), { mode: 0o600 });
      chmodSync(options.statePath, 0o600);
    }
  };
  const now = () => Math.floor(Date.now() / 1000);

  const issue = (userId: string) => {
    const accessToken = randomUUID();
    const refreshToken = randomUUID();
    state.tokens[accessToken] = { userId, refreshToken, expiresAt: now() + ttl };
    state.refresh[refreshToken] = accessToken;
    save();
    return ok({ result: JSON.stringify({ accessToken, refreshToken, expires_in: String(ttl) }) });
  };
  const live = (accessToken: unknown) => {
    const token = typeof accessToken === 'string' ? state.tokens[accessToken] : undefined;
    return token && token.expiresAt > now() ? token : undefined;
  };
  const revoke = (accessToken: string) => {
    const token = state.tokens[accessToken];
    if (token) delete state.refresh[token.refreshToken];
    delete state.tokens[accessToken];
  };

  const routes: Record<string, (body: Record<string, unknown>) => Reply> = {
    '/oauth/token': (body) => {
      const sysId = body['sysid'] ?? body['sys'];
      const clientId = body['client_id'] ?? body['clientId'];
      if ((options.sysId && sysId !== options.sysId) || (options.clientId && clientId !== options.clientId)) {
        return fail('sysid或client_id无效 (unknown sysid or client_id)');
      }
      const account = options.accounts.find((a) => a.username === body['username']);
      if ('validateCode' in body) {
        return account?.validateCode !== undefined && body['validateCode'] === account.validateCode
          ? issue(account.userId)
          : fail('验证码错误 (wrong validate code)');
      }
      const md5Ok = account && body['md5password'] === digest('md5', account.password);
      const shaOk = account && (body['shapassword'] === undefined || body['shapassword'] === digest(sha, account.password));
      return account && md5Ok && shaOk ? issue(account.userId) : fail('用户名或密码错误 (wrong username or password)');
    },
    '/user/checkOauthToken': (body) =>
      live(body['accessToken'] ?? body['access_token']) ? ok({ result: 'token有效 (valid)' }) : fail('token无效 (invalid token)'),
    '/user/getUserByToken': (body) => {
      const token = live(body['accessToken'] ?? body['access_token']);
      const account = token && options.accounts.find((a) => a.userId === token.userId);
      if (!account) return fail('token无效 (invalid token)');
      return ok({ user: JSON.stringify({ userId: account.userId, username: account.username, nickname: account.nickname ?? '' }) });
    },
    '/oauth/destoryToken': (body) => {
      const accessToken = body['access_token'] ?? body['accessToken'];
      if (typeof accessToken !== 'string' || !state.tokens[accessToken]) return fail('token无效 (invalid token)');
      revoke(accessToken);
      save();
      return ok({ result: 'token已销毁 (destroyed)' });
    },
    '/oauth/refreshAccessToken': (body) => {
      const refreshToken = body['refresh_token'] ?? body['refreshToken'];
      const accessToken = typeof refreshToken === 'string' ? state.refresh[refreshToken] : undefined;
      const token = accessToken ? state.tokens[accessToken] : undefined;
      if (!accessToken || !token) return fail('refresh_token无效 (invalid refresh token)');
      revoke(accessToken);
      return issue(token.userId);
    },
    '/oauth/getTempToken': (body) =>
      live(body['accessToken'] ?? body['access_token']) ? ok({ result: `temp-${randomUUID()}` }) : fail('token无效 (invalid token)'),
  };

  const server = createServer((req, res) => {
    handle(routes, req, res).catch(() => reply(res, { http: 500, body: { status: 0, result: '系统错误' } }));
  });
  const { url, close } = await listen(server, options.port);
  return { url, server, close };
}

interface Reply {
  http: number;
  body: Record<string, unknown>;
}
const ok = (fields: Record<string, unknown>): Reply => ({ http: 200, body: { status: 1, ...fields } });
const fail = (result: string): Reply => ({ http: 200, body: { status: 0, result } });

async function handle(
  routes: Record<string, (body: Record<string, unknown>) => Reply>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const route = routes[new URL(req.url ?? '/', 'http://localhost').pathname];
  if (req.method !== 'POST' || !route) return reply(res, { http: 404, body: { status: 0, result: 'not found' } });
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return reply(res, { http: 400, body: { status: 0, result: '请求格式错误 (malformed JSON)' } });
  }
  if (typeof body !== 'object' || body === null) return reply(res, { http: 400, body: { status: 0, result: '请求格式错误' } });
  reply(res, route(body as Record<string, unknown>));
}

function reply(res: ServerResponse, { http, body }: Reply): void {
  res.writeHead(http, { 'content-type': 'application/json;charset=UTF-8' }).end(JSON.stringify(body));
}

function load(path: string | undefined): State {
  if (!path) return { tokens: {}, refresh: {} };
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as State;
    chmodSync(path, 0o600);
    return state;
  } catch {
    return { tokens: {}, refresh: {} };
  }
}

const digest = (algorithm: string, value: string) => createHash(algorithm).update(value, 'utf8').digest('hex');
