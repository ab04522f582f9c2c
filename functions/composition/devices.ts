/** What /list and /execute (and /get) are built from: the vault, the device cloud and the inline refresh. */

import type { ConfigSource } from '../config.ts';
import { DeviceService } from '../domain/devices/device-service.ts';
import { systemClock } from '../domain/ports.ts';
import { FreshSessions } from '../domain/refresh/fresh-sessions.ts';
import { logger } from '../observability.ts';
import { deviceCloud } from './device-cloud.ts';
import { linkRefresher } from './link-refresher.ts';
import { once } from './once.ts';
import { tableOf } from './table.ts';
import { tokenVault } from './vault.ts';

export { deviceCloud } from './device-cloud.ts';

export interface DeviceServices {
  /** Authenticated, freshly refreshed device-cloud sessions. */
  sessions: FreshSessions;
  devices: DeviceService;
}

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
