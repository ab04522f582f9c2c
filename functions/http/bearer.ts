/**
 * The access token of the driver's OAuth 2.0 server reaches /list and /execute as `userAuth.userToken`
 * (Rokid's docs do not say how a v1 driver receives it; the digest infers this), or as an
 * `Authorization: Bearer` header (RFC 6750 §2.1) when the body's userAuth carries no token.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isRecord } from '../domain/json.ts';

/** RFC 6750's b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export const bearerToken = (event: APIGatewayProxyEventV2): string | undefined => BEARER.exec(event.headers['authorization'] ?? '')?.[1];

/**
 * The body with the Bearer token as the userAuth at the first of `paths` (`['userAuth']`,
 * `['device', 'userAuth']`), unless a userAuth at one of them has a userToken: a token in the body wins.
 */
export function withBearerToken(body: unknown, paths: readonly (readonly [string, ...string[]])[], token: string | undefined): unknown {
  const [first] = paths;
  if (token === undefined || first === undefined || !isRecord(body)) return body;
  if (paths.some((path) => hasToken(at(body, path)))) return body;
  const parent = at(body, first.slice(0, -1));
  if (!isRecord(parent)) return body;
  const leaf = first[first.length - 1] as string;
  const auth = parent[leaf];
  if (auth === undefined || auth === null) parent[leaf] = { userToken: token };
  else if (isRecord(auth)) auth['userToken'] = token;
  return body;
}

const at = (body: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), body);

const hasToken = (auth: unknown): boolean => isRecord(auth) && auth['userToken'] !== undefined && auth['userToken'] !== '';
