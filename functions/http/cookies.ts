/** Cookies in and out: API Gateway (payload v2) hands them over in `event.cookies`, one `name=value` each. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Binding } from '../domain/linking/pending-states.ts';

export function cookiesOf(event: APIGatewayProxyEventV2): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const cookie of event.cookies ?? []) {
    const eq = cookie.indexOf('=');
    if (eq > 0) cookies[cookie.slice(0, eq).trim()] ??= cookie.slice(eq + 1).trim();
  }
  return cookies;
}

/** The cookie that ties a sign-in to its browser: read only by the callback, for the sign-in's 10 minutes. */
export const bindingCookie = (binding: Binding, secure: boolean): string =>
  `${binding.name}=${binding.value}; Path=/oauth/callback; Max-Age=${binding.maxAgeS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
