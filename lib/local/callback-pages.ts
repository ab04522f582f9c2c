/**
 * Local stand-ins for Homebase's callback pages, so a person can walk the OAuth flows by hand under
 * `npm start`: where the browser lands with a code, and how Homebase would redeem it. Never deployed.
 */
import type { ConfigInput } from '../../functions/config.ts';
import { escapeHtml } from '../../functions/http/browser-handler.ts';
import type { Routes } from './api-gateway.ts';

const html = (body: string) => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

/** `GET /local/callback` (the command flow's callbackURL) and `GET /local/oauth2-callback` (the OAuth 2.0 server's redirect URI). */
export function localCallbackRoutes(settings: ConfigInput): Routes {
  return {
    'GET /local/callback': async (event) => html(localCallbackPage(settings.PUBLIC_BASE_URL ?? '', event.queryStringParameters ?? {})),
    'GET /local/oauth2-callback': async (event) => html(localOAuth2CallbackPage(settings, event.queryStringParameters ?? {})),
  };
}

function localCallbackPage(publicBaseUrl: string, query: Record<string, string | undefined>): string {
  const body = query['code']
    ? `<p>The account is linked. Exchange the one-time code (valid 5 minutes) for the userAuth:</p>
<pre>curl -s ${escapeHtml(publicBaseUrl)}/command -H 'content-type: application/json' \\
  -d '{"command":"OAuthGetToken","params":{"code":"${escapeHtml(query['code'])}"}}'</pre>`
    : `<p>The authorization did not complete: ${escapeHtml(query['error'] ?? 'no code')} ${escapeHtml(query['error_description'] ?? '')}</p>`;
  return `<!doctype html><meta charset="utf-8"><title>Homebase callback (local)</title><h1>Homebase callback (local stand-in)</h1>${body}`;
}

function localOAuth2CallbackPage(settings: ConfigInput, query: Record<string, string | undefined>): string {
  const base = escapeHtml(settings.PUBLIC_BASE_URL ?? '');
  // The client secret stays in npm start's terminal: a page may be screenshotted, cached or shared.
  const body = query['code']
    ? `<p>The account is linked. Exchange the code (valid 1 minute, once) for tokens as Homebase would, with the client
secret <code>npm start</code> printed in its terminal in place of <code>&lt;client secret&gt;</code>:</p>
<pre>curl -s ${base}/oauth2/token -u '${escapeHtml(settings.HOMEBASE_CLIENT_ID ?? '')}:&lt;client secret&gt;' \\
  -d grant_type=authorization_code -d code=${escapeHtml(query['code'])} \\
  --data-urlencode redirect_uri=${base}/local/oauth2-callback</pre>`
    : `<p>The authorization did not complete: ${escapeHtml(query['error'] ?? 'no code')} ${escapeHtml(query['error_description'] ?? '')}</p>`;
  return `<!doctype html><meta charset="utf-8"><title>OAuth 2.0 callback (local)</title><h1>OAuth 2.0 callback (local stand-in for Homebase)</h1>${body}`;
}
