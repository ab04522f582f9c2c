/**
 * The three Lambda handlers, loaded in-process against an embedded DynamoDB and the UserCenter
 * stand-in, and a `call` that checks every answer is the 200 envelope Homebase requires.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { expect, vi } from 'vitest';
import { type ConfigInput, readConfig } from '../../functions/config.ts';
import { apiGatewayEvent } from '../../lib/local/api-gateway.ts';
import { lambdaContext as contextFor } from '../../lib/local/lambda-context.ts';
import { DEMO_ACCOUNT, startUserCenter } from '../../lib/local/usercenter-server.ts';
import { tempKeyFile, testCipher } from './credentials.ts';
import { testTable } from './dynamodb.ts';
import { apiEvent, REQUEST_ID } from './events.ts';

/** A second vendor user, for tests of what one user can do to another. */
export const OTHER_ACCOUNT = { userId: '10002', username: 'other', password: 'homebase-2', validateCode: '135790', nickname: 'Other User' };

type Handler = (event: ReturnType<typeof apiEvent>, context: ReturnType<typeof contextFor>) => Promise<APIGatewayProxyStructuredResultV2>;
/** Each invocation its own context, as Lambda gives: its 30 s run from the invocation, not from the file's start. */
const lambdaContext = () => contextFor(REQUEST_ID);
const ROUTES = { list: 'POST /list', execute: 'POST /execute', get: 'POST /get', command: 'POST /command' } as const;

export interface Envelope {
  status: number;
  errorName?: string;
  message?: string;
  data?: unknown;
}

/** A v2 reply, as far as tests read it. */
export interface V2Answer {
  header: { namespace: string; name: string; messageId: string; payloadVersion: string };
  endpoint?: { endpointId: string; states: { interface: string; value: unknown; timeOfSample: string }[] };
  payload: any;
}

/**
 * `settings` are the driver's (functions/config.ts keys), handed over as a config object the way the
 * local runtime does; `env` is for the AWS SDK's and Powertools' own variables.
 */
export async function startHandlers(settings: ConfigInput = {}, env: Record<string, string> = {}) {
  const table = await testTable();
  const userCenter = await startUserCenter({ accounts: [DEMO_ACCOUNT, OTHER_ACCOUNT] });
  const sdkEnv = {
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...env,
  };
  for (const [name, value] of Object.entries(sdkEnv)) vi.stubEnv(name, value);
  const keyFile = tempKeyFile();
  const config = () =>
    readConfig({ TABLE_NAME: table.tableName, USERCENTER_URL: userCenter.url, CREDENTIALS_KEY_FILE: keyFile, ...settings });
  // Imported after the environment is set, as Lambda would: Powertools reads its variables at import.
  const handlers: Record<'list' | 'execute' | 'command', Handler> = {
    list: (await import('../../functions/list.ts')).listHandler(config) as unknown as Handler,
    execute: (await import('../../functions/execute.ts')).executeHandler(config) as unknown as Handler,
    command: (await import('../../functions/command.ts')).commandHandler(config) as unknown as Handler,
  };

  async function invoke(to: keyof typeof ROUTES, event: ReturnType<typeof apiEvent>): Promise<Envelope> {
    const result = await handlers[to === 'get' ? 'execute' : to](event, lambdaContext());
    // Homebase's client throws on anything but 200, so every answer must be a 200 envelope.
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    return JSON.parse(result.body ?? '') as Envelope;
  }

  /** A browser's GET through the command function, as API Gateway routes it, with the cookies it holds. */
  const browse = (routeKey: string, url: string, cookie?: string) =>
    handlers.command(
      apiGatewayEvent({
        method: 'GET',
        url: new URL(url),
        headers: cookie ? { cookie } : {},
        body: Buffer.alloc(0),
        route: { routeKey, pathParameters: undefined },
      }) as never,
      lambdaContext(),
    );

  /**
   * The OAuth command's way back without a person: the browser at /oauth/start (which binds the state to
   * it with a cookie), then at /oauth/callback with the vendor's `code`, as if the vendor had signed them in.
   */
  async function oauthCallback(publicBaseUrl: string, callbackURL: string, code = 'c-1') {
    const { data: url } = await invoke('command', apiEvent('POST /command', JSON.stringify({ command: 'OAuth', params: { callbackURL } })));
    const start = await browse('GET /oauth/start', url as string);
    const state = new URL(String(start.headers?.['location'])).searchParams.get('state') ?? '';
    const cookie = start.cookies?.[0]?.split(';')[0];
    return browse('GET /oauth/callback', `${publicBaseUrl}/oauth/callback?state=${encodeURIComponent(state)}&code=${code}`, cookie);
  }

  const directive = (await import('../../functions/directive.ts')).directiveHandler(config) as unknown as Handler;
  /** A v2 message at POST /v2; every answer must be HTTP 200 with a JSON v2 message, errors included. */
  async function v2(body: unknown, headers: Record<string, string> = {}): Promise<V2Answer> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const result = await directive(apiEvent('POST /v2', raw, headers), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    return JSON.parse(result.body ?? '') as V2Answer;
  }

  const refresh = (await import('../../functions/refresh.ts')).refreshHandler(config);
  return {
    table,
    userCenter,
    /** The settings the handlers read, for handlers a test builds itself. */
    config,
    /** The cipher the handlers seal credentials with, for tests that read the table. */
    cipher: testCipher(keyFile),
    handlers,
    browse,
    oauthCallback,
    /** One scheduled refresh run, as EventBridge would start it. */
    runRefresh: () => refresh({ source: 'aws.events' }, contextFor('refresh-run', 60_000)),
    invoke,
    v2,
    call: (to: keyof typeof ROUTES, body: string | undefined, headers?: Record<string, string>) =>
      invoke(to, apiEvent(ROUTES[to], body, headers)),
    close: async () => {
      vi.unstubAllEnvs();
      await userCenter.close();
      await table.close();
    },
  };
}
