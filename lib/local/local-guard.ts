/**
 * The routes only `npm start` serves (the playground and `/local/*`) act with this process's secrets: the
 * playground signs a JWT for any userId and redeems codes as Homebase's client. A page on another site must not
 * reach them, either directly (its Origin) or by DNS rebinding, where the attacker's name resolves to 127.0.0.1
 * and the browser sends the attacker's name as Host. So the Host must be the driver's own (a loopback name with
 * its port, or PUBLIC_BASE_URL's host), and an Origin, when the browser sends one, the driver's own origin.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LambdaHandler, Routes } from './api-gateway.ts';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The hosts (`name:port`) the driver answers to: loopback on its port, and PUBLIC_BASE_URL's. */
export function ownHosts(driverUrl: string, publicBaseUrl: string | undefined): string[] {
  const { port } = new URL(driverUrl);
  const hosts = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  if (publicBaseUrl) hosts.push(new URL(publicBaseUrl).host);
  return [...new Set(hosts)];
}

/** Why a request may not reach a local-only route, or undefined when it may. */
export function foreignRequest(headers: Record<string, string | undefined>, hosts: string[]): string | undefined {
  const host = (headers['host'] ?? '').toLowerCase();
  if (!hosts.includes(host)) {
    return `Forbidden: the Host "${headers['host'] ?? ''}" is not this driver's (${hosts.join(', ')}). The playground and /local/* answer only their own address, so a page on another site cannot reach them by DNS rebinding.`;
  }
  const origin = headers['origin'];
  if (origin === undefined) return undefined;
  const own = hosts.flatMap((h) => [`http://${h}`, `https://${h}`]);
  if (!own.includes(origin.toLowerCase())) {
    return `Forbidden: the Origin "${origin}" is another site's. The playground and /local/* answer only pages of their own origin (${hosts.map((h) => `http://${h}`).join(', ')}).`;
  }
  return undefined;
}

/** Each route wrapped so that a foreign Host or Origin gets 403 with the reason; `hosts` is read per request. */
export function guardRoutes(routes: Routes, hosts: () => string[]): Routes {
  const guard =
    (handler: LambdaHandler): LambdaHandler =>
    async (event: APIGatewayProxyEventV2, context) => {
      const refusal = foreignRequest(event.headers, hosts());
      if (refusal === undefined) return handler(event, context);
      return {
        statusCode: 403,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: JSON.stringify({ message: refusal }),
      };
    };
  return Object.fromEntries(Object.entries(routes).map(([routeKey, handler]) => [routeKey, guard(handler)]));
}
