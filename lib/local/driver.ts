/**
 * The whole driver on one machine: embedded DynamoDB, the UserCenter stand-in and the Lambda
 * handlers behind a local API Gateway. `npm start` and the integration tests both run this.
 */
import { join } from 'node:path';
import { type LocalDynamoDB, ensureTable, startDynamoDB } from './dynamodb.ts';
import { startApiGateway } from './api-gateway.ts';
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

    // Imported only now: the handlers read the environment set above.
    const [list, execute, command, refresh] = await Promise.all([
      import('../../functions/list.ts'),
      import('../../functions/execute.ts'),
      import('../../functions/command.ts'),
      import('../../functions/refresh.ts'),
    ]);
    const api = await startApiGateway({
      port: options.port,
      routes: {
        'POST /list': list.handler,
        'POST /execute': execute.handler,
        'POST /get': execute.handler,
        'POST /command': command.handler,
      },
    });
    stops.unshift(api.close);
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
      dynamoEndpoint: dynamo.endpoint,
      close: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops) await stop();
}
