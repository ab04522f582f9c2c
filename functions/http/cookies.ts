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

/** A cookie for the driver's own pages: never read by scripts, sent on top-level navigations, Secure behind https. */
export function pageCookie(name: string, value: string, options: { path: string; maxAgeS: number; secure: boolean }): string {
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAgeS}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

/** The cookie that ties a sign-in to its browser: read only by the callback, for the sign-in's 10 minutes. */
export const bindingCookie = (binding: Binding, secure: boolean): string =>
  pageCookie(binding.name, binding.value, { path: '/oauth/callback', maxAgeS: binding.maxAgeS, secure });
