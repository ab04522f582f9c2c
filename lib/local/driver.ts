/**
 * The whole driver on one machine: embedded DynamoDB, the UserCenter stand-in, an OAuth
 * authorization server and the Lambda handlers behind a local API Gateway. `npm start` and the
 * integration tests both run this.
 *
 * The driver's settings reach the handlers as one Config object, read from the caller's environment
 * with the local services filled in. Only the AWS SDK's own variables (the DynamoDB endpoint and
 * dummy credentials) go into process.env, since that is where the SDK looks for them.
 */
import { join } from 'node:path';
import { commandHandler } from '../../functions/command.ts';
import { type Config, type ConfigInput, HOMEBASE_CALLBACK_ORIGINS, LOCAL_REMEDY, readConfig, settingsIn } from '../../functions/config.ts';
import { deviceEventsHandler } from '../../functions/device-events.ts';
import { directiveHandler } from '../../functions/directive.ts';
import { executeHandler } from '../../functions/execute.ts';
import { isLocalOnlyRoute, ROUTES } from '../../functions/http/routes.ts';
import { listHandler } from '../../functions/list.ts';
import { refreshHandler } from '../../functions/refresh.ts';
import { stateReportsHandler } from '../../functions/state-reports.ts';
import { FUNCTION_SIZING } from '../functions.ts';
import type { RokidStandIn } from '../stand-ins/rokid-events.ts';
import type { SqsStandIn } from '../stand-ins/sqs.ts';
import { type AccessRecord, type Routes, startApiGateway } from './api-gateway.ts';
import { localCallbackRoutes } from './callback-pages.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { DeviceCloudServer } from './device-cloud-server.ts';
import { ensureTable, type LocalDynamoDB, startDynamoDB } from './dynamodb.ts';
import { startExpirySweeper } from './expiry-sweeper.ts';
import { localKeyFile } from './key-file.ts';
import { eventsSetting, homebaseClientDefaults, jwtDefaults, type OffReason } from './local-defaults.ts';
import { connectLocalEvents, startLocalConsumer, startLocalEvents } from './local-events.ts';
import { guardRoutes, ownHosts } from './local-guard.ts';
import type { OAuthServer } from './oauth-server.ts';
import { type LocalOAuthUpstream, startLocalOAuthUpstream, type UpstreamStyle } from './oauth-upstream.ts';
import { type PlaygroundEvents, playgroundRoutes } from './playground/playground.ts';
import type { QueuePoller } from './queue-poller.ts';
import { writeRuntime } from './runtime-file.ts';
import { type LocalSchedule, startSchedule } from './schedule.ts';
import { DEMO_ACCOUNT, startUserCenter, type UserCenterServer } from './usercenter-server.ts';
import type { XiaomiServer } from './xiaomi-server.ts';

export interface LocalDriverOptions {
  port: number;
  /** Where data persists; omitted, everything lives in memory. */
  dataDir?: string;
  /** Driver settings (the keys of docs/configuration.md); default: the process environment. */
  settings?: ConfigInput;
  /** The kind of OAuth server to run when none is named (`LOCAL_UPSTREAM_STYLE`): `oidc` (default) or `xiaomi`. */
  upstreamStyle?: UpstreamStyle;
  /** The playground at `/`: `on` (default, or PLAYGROUND) or `off`. */
  playground?: 'on' | 'off';
  /** State reports: `on` (default, or LOCAL_EVENTS) or `off`. */
  events?: 'on' | 'off';
  /** Told of every answered request (npm start prints an access line). */
  onAnswer?: (record: AccessRecord) => void;
}

export interface LocalDriver {
  url: string;
  /** The settings the handlers run with. */
  config: Config;
  /** The scheduled refresh run; `runNow` lets a test (or a curious engineer) trigger one. */
  refresh: LocalSchedule;
  userCenterUrl: string;
  /** The OAuth upstream in use; `oauthServer` is set when it is the embedded one. */
  oauthIssuer: string;
  oauthServer: OAuthServer | undefined;
  /** Set with `upstreamStyle: 'xiaomi'`: the Xiaomi-shaped server and the MAC-checking device cloud. */
  xiaomiServer: XiaomiServer | undefined;
  deviceCloud: DeviceCloudServer | undefined;
  dynamoEndpoint: string;
  /** Whether the playground is served at `/`. */
  playground: boolean;
  /**
   * State reports, on unless LOCAL_EVENTS=off: the Rokid stand-in (when ROKID_EVENTS_CLIENT_ID names no real one),
   * the SQS stand-in and the consumer polling it, as Lambda's event-source mapping would.
   */
  events: { rokid: RokidStandIn | undefined; sqs: SqsStandIn; poller: QueuePoller; deviceEventsSecret: string } | undefined;
  /** What is off of what npm start turns on by itself, each with the setting that turns it on. */
  off: { jwt: OffReason; stateReports: OffReason };
  close(): Promise<void>;
}

export async function startLocalDriver(options: LocalDriverOptions): Promise<LocalDriver> {
  const settings = settingsIn(options.settings ?? process.env);
  const unlock = options.dataDir ? await lockDataDir(options.dataDir) : async () => undefined;
  let dynamo: LocalDynamoDB;
  try {
    dynamo = await startDynamoDB(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {});
  } catch (error) {
    await unlock();
    throw error;
  }
  const stops: Array<() => Promise<void>> = [dynamo.close, unlock];
  try {
    settings.TABLE_NAME ??= 'homebase-driver';
    if (!settings.CREDENTIALS_KEY_FILE && !settings.CREDENTIALS_KMS_KEY_ID) {
      const keyFile = await localKeyFile(options.dataDir);
      settings.CREDENTIALS_KEY_FILE = keyFile.path;
      stops.push(keyFile.discard);
    }
    await ensureTable(
      dynamo.endpoint,
      settings.TABLE_NAME,
      options.dataDir ? { backupFile: join(options.dataDir, 'table-backup.json') } : {},
    );
    // The handlers reach the embedded engine through the SDK's standard endpoint override.
    process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamo.endpoint;
    process.env['AWS_REGION'] ??= 'local';
    process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
    process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';

    let userCenter: UserCenterServer | undefined;
    if (!settings.USERCENTER_URL) {
      userCenter = await startUserCenter({
        accounts: [DEMO_ACCOUNT],
        ...(settings.USERCENTER_SYS_ID ? { sysId: settings.USERCENTER_SYS_ID } : {}),
        ...(settings.USERCENTER_CLIENT_ID ? { clientId: settings.USERCENTER_CLIENT_ID } : {}),
        ...(settings.USERCENTER_SHA_ALGORITHM ? { shaAlgorithm: settings.USERCENTER_SHA_ALGORITHM as 'sha1' } : {}),
        ...(options.dataDir ? { statePath: join(options.dataDir, 'usercenter.json') } : {}),
      });
      stops.unshift(userCenter.close);
      settings.USERCENTER_URL = userCenter.url;
    }

    // The handlers read their settings on first use, by which time the gateway's URL (which the
    // OAuth settings need) is known.
    let config: Config | undefined;
    const source = () => {
      config ??= readConfig(settings, LOCAL_REMEDY);
      return config;
    };
    const handlers = {
      list: listHandler(source),
      execute: executeHandler(source),
      command: commandHandler(source),
      directive: directiveHandler(source),
      deviceEvents: deviceEventsHandler(source),
    };
    const routes: Routes = Object.fromEntries(Object.entries(ROUTES).map(([routeKey, name]) => [routeKey, handlers[name]]));
    // Set once the gateway listens: until then no request can arrive.
    let ownHostList: string[] = [];
    const localOnly = (more: Routes) =>
      Object.assign(
        routes,
        guardRoutes(more, () => ownHostList),
      );
    localOnly(localCallbackRoutes(settings));
    // The playground (PLAYGROUND=on, the local default): a page at `/`, never deployed.
    const playgroundSetting = options.playground ?? process.env['PLAYGROUND'] ?? 'on';
    if (playgroundSetting !== 'on' && playgroundSetting !== 'off') {
      throw new Error(`PLAYGROUND must be on or off, not "${playgroundSetting}".`);
    }
    const playground = playgroundSetting === 'on';
    // State reports' steps on the page, once they are running (below).
    let playgroundEvents: PlaygroundEvents | undefined;
    let jwtOff: OffReason;
    if (playground)
      localOnly(
        playgroundRoutes(
          settings,
          () => playgroundEvents,
          () => jwtOff,
        ),
      );
    // A route the stack does not deploy must be declared local-only, so the two route tables cannot drift apart.
    const undeclared = Object.keys(routes).filter((routeKey) => !(routeKey in ROUTES) && !isLocalOnlyRoute(routeKey));
    if (undeclared.length > 0) throw new Error(`local routes not declared in functions/http/routes.ts: ${undeclared.join(', ')}`);
    const api = await startApiGateway({ port: options.port, routes, ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}) });
    stops.unshift(api.close);

    settings.PUBLIC_BASE_URL ??= api.url;
    ownHostList = ownHosts(api.url, settings.PUBLIC_BASE_URL);
    let upstream: LocalOAuthUpstream | undefined;
    if (!settings.OAUTH_CLIENT_ID) {
      // No OAuth upstream named: run a local one, with a sign-in page.
      upstream = await startLocalOAuthUpstream(options.upstreamStyle ?? 'oidc', settings.PUBLIC_BASE_URL);
      stops.unshift(...upstream.stops);
      for (const [key, value] of Object.entries(upstream.settings) as [keyof ConfigInput, string][]) settings[key] ??= value;
      settings.DEVICE_OAUTH ??= 'on';
    }
    // Local runs may send the browser back to a page on this machine.
    // The playground is Homebase's callback page on its OAuth path, so its origin joins them (it is on loopback unless PUBLIC_BASE_URL says otherwise).
    const playgroundOrigin = playground ? `,${new URL(settings.PUBLIC_BASE_URL).origin}` : '';
    settings.CALLBACK_ALLOWED_ORIGINS ??= `${HOMEBASE_CALLBACK_ORIGINS},http://127.0.0.1,http://localhost${playgroundOrigin}`;
    // The OAuth 2.0 server, with a client that stands in for Homebase; v2's JWT authorization; state reports.
    homebaseClientDefaults(settings as ConfigInput & { PUBLIC_BASE_URL: string }, playground);
    jwtOff = jwtDefaults(settings);
    const eventsChoice = eventsSetting(settings, options.events ?? process.env['LOCAL_EVENTS']);
    const events = await startLocalEvents(settings, eventsChoice.setting, stops);
    const ready = source();
    const poller = events && startLocalConsumer(stateReportsHandler(source), ready);
    if (poller) stops.unshift(poller.close);
    if (events) playgroundEvents = connectLocalEvents(events, { config: ready, driverUrl: api.url, deviceCloud: upstream?.deviceCloud });
    const schedule = startSchedule(refreshHandler(source), {
      intervalS: ready.REFRESH_INTERVAL_S,
      // The deployed function's timeout, so the job stops taking work at the same point.
      timeoutMs: FUNCTION_SIZING.refresh.timeoutS * 1000,
      onError: (error) => console.error('refresh run failed:', error instanceof Error ? error.message : error),
    });
    stops.unshift(schedule.close);
    // What DynamoDB's TTL would remove, dynalite keeps: swept out on the refresh job's interval.
    const sweeper = startExpirySweeper(dynamo.endpoint, settings.TABLE_NAME, {
      intervalS: ready.REFRESH_INTERVAL_S,
      onError: (error) => console.error('sweeping expired items failed:', error instanceof Error ? error.message : error),
    });
    stops.unshift(sweeper.close);
    if (options.dataDir) {
      stops.unshift(await writeRuntime(options.dataDir, { pid: process.pid, url: api.url, dynamoEndpoint: dynamo.endpoint, settings }));
    }
    return {
      url: api.url,
      config: ready,
      refresh: schedule,
      userCenterUrl: settings.USERCENTER_URL,
      oauthIssuer: upstream?.issuer ?? settings.OAUTH_ISSUER ?? settings.OAUTH_TOKEN_ENDPOINT ?? '',
      oauthServer: upstream?.oauthServer,
      xiaomiServer: upstream?.xiaomiServer,
      deviceCloud: upstream?.deviceCloud,
      dynamoEndpoint: dynamo.endpoint,
      playground,
      events: events && poller && { ...events, poller },
      off: { jwt: jwtOff, stateReports: eventsChoice.off },
      close: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

export { LOCAL_CLIENT_ID, LOCAL_JWT_APP_ID } from './local-defaults.ts';

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops) await stop();
}
