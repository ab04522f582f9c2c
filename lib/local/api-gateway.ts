/**
 * A local stand-in for API Gateway HTTP API: turns each HTTP request into a payload-v2 event for the
 * same handler modules that deploy to Lambda, and the handler's result back into a response.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';
import { listen } from './loopback.ts';

export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Route keys as API Gateway writes them: `POST /list`. */
export type Routes = Record<string, LambdaHandler>;

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(application\/([a-z0-9.+-]+\+)?json|text\/|application\/x-www-form-urlencoded)/i;

export interface LocalApi {
  url: string;
  server: Server;
  /** The routes served, read on every request: a caller may add to them once the URL is known. */
  routes: Routes;
  close(): Promise<void>;
}

/** One answered request, for an access log: the path only, since a query may carry codes and states. */
export interface AccessRecord {
  method: string;
  path: string;
  /** The route it matched (`POST /list`, `GET /device_oauth/{appId}/login`), or `-` for none, as API Gateway logs it. */
  routeKey: string;
  sourceIp: string;
  status: number;
  /** A refusal a 200 carries in its body (v1's envelope errorName, v2's ErrorResponse name), so that it does not read as a success. */
  outcome?: string;
  ms: number;
}

export async function startApiGateway(options: {
  port: number;
  routes: Routes;
  host?: string;
  /** Told of every answered request. */
  onAnswer?: (record: AccessRecord) => void;
}): Promise<LocalApi> {
  const server = createServer((req, res) => {
    const matched = { routeKey: '-' };
    if (options.onAnswer) {
      const started = performance.now();
      res.on('finish', () => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const { method = 'GET' } = req;
        const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
        const outcome = outcomes.get(res);
        const record = { method, path, routeKey: matched.routeKey, sourceIp, status: res.statusCode, ms: performance.now() - started };
        options.onAnswer?.(outcome === undefined ? record : { ...record, outcome });
      });
    }
    serve(options.routes, req, res, matched).catch((error: unknown) => {
      console.error('local API gateway failed', error);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });
  const { url, close } = await listen(server, options.port, options.host);
  return { url, server, routes: options.routes, close };
}

/** The refusal each answered 200 carried, for the access record. */
const outcomes = new WeakMap<ServerResponse, string>();

/** The error name in a Homebase answer: v1's envelope (`status` not 0) or v2's ErrorResponse. */
export function refusalIn(body: string): string | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { status, errorName, header, payload } = answer as Record<string, { name?: unknown } | undefined>;
  if (status !== undefined && (status as unknown) !== 0 && typeof errorName === 'string') return errorName;
  return header?.name === 'ErrorResponse' && typeof payload?.name === 'string' ? payload.name : undefined;
}

/** A path segment that is not valid percent-encoding: API Gateway answers 400 before any function runs. */
class MalformedPath extends Error {}

/** Exact routes first, then templates with `{name}` segments, as API Gateway matches them. */
function matchRoute(routes: Routes, method: string, path: string) {
  const exact = `${method} ${path}`;
  if (Object.hasOwn(routes, exact)) return { routeKey: exact, handler: routes[exact]!, pathParameters: undefined };
  const segments = path.split('/');
  for (const [routeKey, handler] of Object.entries(routes)) {
    const [routeMethod, template = ''] = routeKey.split(' ');
    const parts = template.split('/');
    if (routeMethod !== method || parts.length !== segments.length || !template.includes('{')) continue;
    const pathParameters: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (!part.startsWith('{')) return part === segment;
      try {
        pathParameters[part.slice(1, -1)] = decodeURIComponent(segment);
      } catch {
        throw new MalformedPath();
      }
      return segment !== '';
    });
    if (matches) return { routeKey, handler, pathParameters };
  }
  return undefined;
}

async function serve(routes: Routes, req: IncomingMessage, res: ServerResponse, matched: { routeKey: string }): Promise<void> {
  // The request target as written: `//x` is a path here, not a URL without a scheme.
  const target = req.url ?? '/';
  const url = URL.parse(target.startsWith('/') ? `http://localhost${target}` : target);
  if (!url) return refuse(req, res, 400, { message: 'Bad Request: the request target is not a path or URL.' });
  let route: ReturnType<typeof matchRoute>;
  try {
    route = matchRoute(routes, req.method ?? 'GET', url.pathname);
  } catch (error) {
    if (!(error instanceof MalformedPath)) throw error;
    return refuse(req, res, 400, { message: 'Bad Request: the path has malformed percent-encoding.' });
  }
  if (!route) return refuse(req, res, 404, { message: 'Not Found' });
  const { handler, routeKey } = route;
  matched.routeKey = routeKey;

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) return send(res, 413, { message: 'Request Entity Too Large' });
    chunks.push(chunk);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const event = apiGatewayEvent({
    method: req.method ?? 'GET',
    url,
    route: { routeKey, pathParameters: route.pathParameters },
    headers,
    body: Buffer.concat(chunks),
    protocol: `HTTP/${req.httpVersion}`,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
  });
  let result: unknown;
  try {
    result = await handler(event, lambdaContext(event.requestContext.requestId));
  } catch (error) {
    // API Gateway hides a crashed function behind a bare 500; so does this.
    console.error(`${routeKey} threw`, error);
    return send(res, 500, { message: 'Internal Server Error' });
  }
  writeResult(res, result);
}

export interface HttpRequestParts {
  method: string;
  url: URL;
  /** Lower-case names, as Node and API Gateway give them. */
  headers: Record<string, string>;
  body: Buffer;
  protocol?: string;
  sourceIp?: string;
  requestId?: string;
  /** The matched route template and its parameters, when the route has `{name}` segments. */
  route?: { routeKey: string; pathParameters: Record<string, string> | undefined };
}

/** The payload-v2 event API Gateway builds for a request: text bodies as they are, others base64-encoded. */
export function apiGatewayEvent(request: HttpRequestParts): APIGatewayProxyEventV2 {
  const { method, url, body: raw } = request;
  // API Gateway moves the Cookie header into `cookies`, one entry per cookie.
  const { cookie, ...headers } = request.headers;
  const routeKey = request.route?.routeKey ?? `${method} ${url.pathname}`;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: raw.length > 0 && !isText,
  };
  if (url.search) event.queryStringParameters = query;
  if (cookie) event.cookies = cookie.split(/;\s*/).filter(Boolean);
  if (request.route?.pathParameters) event.pathParameters = request.route.pathParameters;
  if (raw.length > 0) event.body = isText ? raw.toString('utf8') : raw.toString('base64');
  return event;
}

function writeResult(res: ServerResponse, result: unknown): void {
  // Like API Gateway: a result without statusCode is treated as a JSON body with status 200.
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    send(res, 200, result ?? null);
    return;
  }
  const { statusCode = 200, headers = {}, body = '', isBase64Encoded, cookies } = result as APIGatewayProxyStructuredResultV2;
  res.statusCode = statusCode;
  if (statusCode === 200 && !isBase64Encoded) {
    const refusal = refusalIn(body);
    if (refusal !== undefined) outcomes.set(res, refusal);
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, String(value));
  if (cookies?.length) res.setHeader('set-cookie', cookies);
  res.end(isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/** An answer before the body is read: the body is drained, so that a kept-alive connection stays usable. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  req.resume();
  send(res, status, body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
