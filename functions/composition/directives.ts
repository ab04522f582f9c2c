/** What `POST /v2` is built from: v1's vault, sessions, device cloud and DeviceService, with v2's authorization and replies. */
import { DynamoReplyStore } from '../adapters/dynamodb/reply-store.ts';
import { type Config, type ConfigSource, eventsOn } from '../config.ts';
import { DeviceService } from '../domain/devices/device-service.ts';
import { systemClock } from '../domain/ports.ts';
import { FreshSessions } from '../domain/refresh/fresh-sessions.ts';
import { AtMostOnce } from '../domain/v2/at-most-once.ts';
import { V2Authorization } from '../domain/v2/authorization.ts';
import { type AcceptGrant, type SentStatesHook, V2Directives } from '../domain/v2/directives.ts';
import { directiveMetrics, logger } from '../observability.ts';
import { deviceCloud } from './devices.ts';
import { linkRefresher } from './link-refresher.ts';
import { once, onceAsync } from './once.ts';
import { secretSetting } from './secret-setting.ts';
import { sentStates as sentStatesOf } from './sent-states.ts';
import { tableOf } from './table.ts';
import { tokenVault } from './vault.ts';

/**
 * The most an inline refresh may take of a v2 message's 3 s: it then still leaves the device cloud
 * time to answer. (v1's inline refresh may take the upstream's whole timeout, 3 s by default.)
 */
export const V2_REFRESH_TIMEOUT_MS = 1200;

export const directiveServices = (source: ConfigSource) =>
  once((): V2Directives => {
    const config = withinV2Budget(source());
    const { db, links, cipher } = tableOf(config);
    const sessions = new FreshSessions({
      vault: tokenVault(config, links),
      links,
      refresher: linkRefresher(config, links),
      clock: systemClock,
    });
    const appId = config.ROKID_JWT_APP_ID;
    const appSecret = secretSetting(config.ROKID_JWT_APP_SECRET, config.ROKID_JWT_APP_SECRET_ARN);
    const authorization = new V2Authorization({
      sessions,
      ...(appId ? { jwt: async () => ({ appId, appSecret: await appSecret() }) } : {}),
      ...(config.DEVICE_CLOUD === 'http'
        ? { serviceCredentials: secretSetting(config.DEVICE_CLOUD_SERVICE_TOKEN, config.DEVICE_CLOUD_SERVICE_TOKEN_ARN) }
        : {}),
      nowS: systemClock.now,
    });
    // AcceptGrant comes once per user: its modules load on the first one, not on every cold start, and as one
    // chunk (one import), so what they share with the handler is not cut into more chunks of its own.
    const grants = onceAsync(() => import('./event-grants.ts').then(({ eventGrants }) => eventGrants(config, db, cipher)));
    const acceptGrant: AcceptGrant = async (session, payload, deadline) => (await grants()).accept(session, payload, deadline);
    // Imported with the handler, though a Discover never records: loaded on demand, its few KB split what it
    // shares with the handler into seven more chunks, each about half a millisecond of every cold start
    // (docs/performance.md). Built on the first Control, off its path (the hook is not waited for).
    const sent = once(() => sentStatesOf(config, db, cipher));
    const sentStates: SentStatesHook = {
      recordControl: async (vendorUserId, deviceId, states) => sent().recordControl(vendorUserId, deviceId, states),
    };
    return new V2Directives({
      ...(eventsOn(config) ? { acceptGrant, sentStates } : {}),
      authorization,
      devices: new DeviceService({ cloud: deviceCloud(config, db), log: logger }),
      once: new AtMostOnce({
        replies: new DynamoReplyStore(db, config.TABLE_NAME),
        clock: systemClock,
        log: logger,
        metrics: directiveMetrics,
      }),
      log: logger,
    });
  });

const withinV2Budget = (config: Config): Config => ({
  ...config,
  OAUTH_TIMEOUT_MS: Math.min(config.OAUTH_TIMEOUT_MS, V2_REFRESH_TIMEOUT_MS),
  USERCENTER_TIMEOUT_MS: Math.min(config.USERCENTER_TIMEOUT_MS, V2_REFRESH_TIMEOUT_MS),
});
