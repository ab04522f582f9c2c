/** What the stateReports consumer is built from: delivery to Rokid, and the queue it sets messages aside and back in. */
import { DynamoDeliveryPositions } from '../adapters/dynamodb/event-records.ts';
import { DynamoGrantStore } from '../adapters/dynamodb/grant-store.ts';
import { HttpEventGateway } from '../adapters/rokid/event-gateway.ts';
import type { ConfigSource } from '../config.ts';
import { DeviceService } from '../domain/devices/device-service.ts';
import { ReportDelivery } from '../domain/events/delivery.ts';
import type { GrantRenewer } from '../domain/events/ports.ts';
import { systemClock } from '../domain/ports.ts';
import { serviceSession } from '../domain/vault/sessions.ts';
import { eventMetrics, logger } from '../observability.ts';
import { deviceCloud } from './device-cloud.ts';
import { eventQueue } from './event-queue.ts';
import { once, onceAsync } from './once.ts';
import { refresherParts } from './refresher-parts.ts';
import { secretSetting } from './secret-setting.ts';
import { tableOf } from './table.ts';

/** The consumer: delivery, and the queue it sets messages aside and back in. */
export const stateReportServices = (source: ConfigSource) =>
  once(() => {
    const config = source();
    const { db, cipher } = tableOf(config);
    const grants = new DynamoGrantStore(db, config.TABLE_NAME, cipher);
    const service =
      config.DEVICE_CLOUD === 'http' ? secretSetting(config.DEVICE_CLOUD_SERVICE_TOKEN, config.DEVICE_CLOUD_SERVICE_TOKEN_ARN) : undefined;
    return {
      config,
      queue: eventQueue(config),
      delivery: new ReportDelivery({
        grants,
        gateway: new HttpEventGateway({ url: config.ROKID_EVENT_GATEWAY_URL, timeoutMs: config.ROKID_EVENTS_TIMEOUT_MS }),
        positions: new DynamoDeliveryPositions(db, config.TABLE_NAME),
        // Every delivery reads its grants; only a refused token (401, 403) needs Rokid's token endpoint.
        refresher: renewerOnDemand(async () =>
          (await import('./grant-renewal.ts')).renewalRefresher(config, refresherParts(config, grants)),
        ),
        devices: new DeviceService({ cloud: deviceCloud(config, db), log: logger }),
        // No user asked: the device cloud is called with the driver's service credential, naming the user.
        sessionFor: (vendorUserId) => serviceSession(vendorUserId, service),
        clock: systemClock,
        metrics: eventMetrics,
        log: logger,
      }),
    };
  });

/**
 * A GrantRenewer built on its first use, once for the container however many deliveries ask at once. A build that
 * fails fails the renewals that asked, each delivery is retried, and the next renewal builds again; a module whose
 * evaluation threw stays failed in Node's loader, so that one fails every time, as a module loaded at import would.
 */
export function renewerOnDemand(build: () => Promise<GrantRenewer>): GrantRenewer {
  const renewer = onceAsync(build);
  return {
    refresh: async (key, request) => (await renewer()).refresh(key, request),
    end: async (grant, reason) => (await renewer()).end(grant, reason),
  };
}
