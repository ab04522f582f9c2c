/** What /list and /execute (and /get) are built from: the vault, the device cloud and the inline refresh. */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HttpDeviceCloud } from '../adapters/device-cloud/http-cloud.ts';
import { VirtualDeviceCloud } from '../adapters/device-cloud/virtual/virtual-cloud.ts';
import type { Config, ConfigSource } from '../config.ts';
import { DeviceService } from '../domain/devices/device-service.ts';
import { type DeviceCloud, systemClock } from '../domain/ports.ts';
import { FreshSessions } from '../domain/refresh/fresh-sessions.ts';
import { logger } from '../observability.ts';
import { linkRefresher } from './link-refresher.ts';
import { once } from './once.ts';
import { tableOf, tokenVault } from './table.ts';

export interface DeviceServices {
  /** Authenticated, freshly refreshed device-cloud sessions. */
  sessions: FreshSessions;
  devices: DeviceService;
}

/** The configured device cloud: the vendor's over http, or the virtual one in the driver's table. */
export const deviceCloud = (config: Config, db: DynamoDBDocumentClient): DeviceCloud =>
  config.DEVICE_CLOUD === 'http'
    ? new HttpDeviceCloud({ baseUrl: config.DEVICE_CLOUD_URL ?? '', timeoutMs: config.DEVICE_CLOUD_TIMEOUT_MS })
    : new VirtualDeviceCloud(db, config.TABLE_NAME);

export const deviceServices = (source: ConfigSource) =>
  once((): DeviceServices => {
    const config = source();
    const { db, links } = tableOf(config);
    const cloud = deviceCloud(config, db);
    return {
      sessions: new FreshSessions({ vault: tokenVault(config, links), links, refresher: linkRefresher(config, links), clock: systemClock }),
      devices: new DeviceService({ cloud, log: logger }),
    };
  });
