/**
 * The whole driver on one machine: embedded DynamoDB, the UserCenter stand-in and the Lambda
 * handlers behind a local API Gateway. `npm start` and the integration tests both run this.
 */
import { join } from 'node:path';
import { type LocalDynamoDB, ensureTable, startDynamoDB } from './dynamodb.ts';
import { randomBytes } from 'node:crypto';
import { HOMEBASE_CALLBACK_ORIGINS } from '../../functions/config.ts';
import { escapeHtml } from '../../functions/http/browser-handler.ts';
import { ROUTES } from '../../functions/http/routes.ts';
import { type Routes, startApiGateway } from './api-gateway.ts';
import { type OAuthServer, startOAuthServer } from './oauth-server.ts';
import { type LocalSchedule, startSchedule } from './schedule.ts';
import { DEMO_ACCOUNT, type UserCenterServer, startUserCenter } from './usercenter-server.ts';

export interface LocalDriverOptions {
  port: number;
  /** Where data persists; omitted, everything lives in memory. */
  dataDir?: string;
}

export interface LocalDriver {
  url: string;
  /** The scheduled refresh run; `runNow` lets a test (or a curious engineer) trigger one. */
  refresh: LocalSchedule;
  userCenterUrl: string;
  /** The OAuth upstream in use; `oauthServer` is set when it is the embedded one. */
  oauthIssuer: string;
  oauthServer: OAuthServer | undefined;
  dynamoEndpoint: string;
  close(): Promise<void>;
}

export async function startLocalDriver(options: LocalDriverOptions): Promise<LocalDriver> {
  const env = process.env;
  const dynamo: LocalDynamoDB = await startDynamoDB(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {});
  const stops: Array<() => Promise<void>> = [dynamo.close];
  try {
    env['TABLE_NAME'] ??= 'homebase-driver';
    await ensureTable(dynamo.endpoint, env['TABLE_NAME']);
    // The handlers reach the embedded engine through the SDK's standard endpoint override.
    env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamo.endpoint;
    env['AWS_REGION'] ??= 'local';
    env['AWS_ACCESS_KEY_ID'] ??= 'local';
    env['AWS_SECRET_ACCESS_KEY'] ??= 'local';

    let userCenter: UserCenterServer | undefined;
    if (!env['USERCENTER_URL']) {
      userCenter = await startUserCenter({
        accounts: [DEMO_ACCOUNT],
        ...(env['USERCENTER_SYS_ID'] ? { sysId: env['USERCENTER_SYS_ID'] } : {}),
        ...(env['USERCENTER_CLIENT_ID'] ? { clientId: env['USERCENTER_CLIENT_ID'] } : {}),
        ...(env['USERCENTER_SHA_ALGORITHM'] ? { shaAlgorithm: env['USERCENTER_SHA_ALGORITHM'] as 'sha1' } : {}),
        ...(options.dataDir ? { statePath: join(options.dataDir, 'usercenter.json') } : {}),
      });
      stops.unshift(userCenter.close);
      env['USERCENTER_URL'] = userCenter.url;
    }

    // Imported only now: the handlers read the environment set above (and the OAuth settings below,
    // which need the gateway's URL, before their first request).
    const handlers = {
      list: (await import('../../functions/list.ts')).handler,
      execute: (await import('../../functions/execute.ts')).handler,
      command: (await import('../../functions/command.ts')).handler,
    };
    const refresh = await import('../../functions/refresh.ts');
    const routes: Routes = Object.fromEntries(Object.entries(ROUTES).map(([routeKey, name]) => [routeKey, handlers[name]]));
    // A stand-in for Homebase's callback page, so a person can walk the OAuth flow locally.
    routes['GET /local/callback'] = async (event) => ({
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body: localCallbackPage(event.queryStringParameters ?? {}),
    });
    const api = await startApiGateway({ port: options.port, routes: routes as Routes });
    stops.unshift(api.close);

    env['PUBLIC_BASE_URL'] ??= api.url;
    let oauthServer: OAuthServer | undefined;
    if (!env['OAUTH_CLIENT_ID']) {
      // No OAuth upstream named: run the embedded authorization server, with a login page.
      const clientId = 'homebase-driver-local';
      const clientSecret = randomBytes(24).toString('base64url');
      oauthServer = await startOAuthServer({
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [`${env['PUBLIC_BASE_URL']}/oauth/callback`, `${env['PUBLIC_BASE_URL']}/device_oauth/${clientId}/callback`],
            grant_types: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      });
      stops.unshift(oauthServer.close);
      Object.assign(env, { OAUTH_ISSUER: oauthServer.issuer, OAUTH_CLIENT_ID: clientId, OAUTH_CLIENT_SECRET: clientSecret, OAUTH_SCOPE: 'openid' });
      env['DEVICE_OAUTH'] ??= 'on';
    }
    // Local runs may send the browser back to a page on this machine.
    env['CALLBACK_ALLOWED_ORIGINS'] ??= `${HOMEBASE_CALLBACK_ORIGINS},http://127.0.0.1,http://localhost`;
    const intervalS = Number(env['REFRESH_INTERVAL_S'] ?? 60);
    const schedule = startSchedule(refresh.handler, {
      intervalS: Number.isFinite(intervalS) && intervalS > 0 ? intervalS : 60,
      // The deployed function's timeout (see lib/), so the job stops taking work at the same point.
      timeoutMs: 120_000,
      onError: (error) => console.error('refresh run failed:', error instanceof Error ? error.message : error),
    });
    stops.unshift(schedule.close);
    return {
      url: api.url,
      refresh: schedule,
      userCenterUrl: env['USERCENTER_URL'],
      oauthIssuer: env['OAUTH_ISSUER'] ?? '',
      oauthServer,
      dynamoEndpoint: dynamo.endpoint,
      close: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

function localCallbackPage(query: Record<string, string | undefined>): string {
  const body = query['code']
    ? `<p>The account is linked. Exchange the one-time code (valid 5 minutes) for the userAuth:</p>
<pre>curl -s ${escapeHtml(process.env['PUBLIC_BASE_URL'] ?? '')}/command -H 'content-type: application/json' \\
  -d '{"command":"OAuthGetToken","params":{"code":"${escapeHtml(query['code'])}"}}'</pre>`
    : `<p>The authorization did not complete: ${escapeHtml(query['error'] ?? 'no code')} ${escapeHtml(query['error_description'] ?? '')}</p>`;
  return `<!doctype html><meta charset="utf-8"><title>Homebase callback (local)</title><h1>Homebase callback (local stand-in)</h1>${body}`;
}

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops) await stop();
}
