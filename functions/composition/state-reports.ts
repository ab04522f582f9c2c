/** What the stateReports consumer is built from: delivery to Rokid, and the queue it sets messages aside and back in. */
import { DynamoDeliveryPositions } from '../adapters/dynamodb/event-records.ts';
import { HttpEventGateway } from '../adapters/rokid/event-gateway.ts';
import type { ConfigSource } from '../config.ts';
import { DeviceService } from '../domain/devices/device-service.ts';
import { ReportDelivery } from '../domain/events/delivery.ts';
import { systemClock } from '../domain/ports.ts';
import { serviceSession } from '../domain/vault/sessions.ts';
import { eventMetrics, logger } from '../observability.ts';
import { deviceCloud } from './device-cloud.ts';
import { eventQueue } from './event-queue.ts';
import { grantServices } from './grants.ts';
import { once } from './once.ts';
import { secretSetting } from './secret-setting.ts';
import { tableOf } from './table.ts';

/** The consumer: delivery, and the queue it sets messages aside and back in. */
export const stateReportServices = (source: ConfigSource) =>
  once(() => {
    const config = source();
    const { db, cipher } = tableOf(config);
    const { grants, refresher } = grantServices(config, db, cipher);
    const service =
      config.DEVICE_CLOUD === 'http' ? secretSetting(config.DEVICE_CLOUD_SERVICE_TOKEN, config.DEVICE_CLOUD_SERVICE_TOKEN_ARN) : undefined;
    return {
      config,
      queue: eventQueue(config),
      delivery: new ReportDelivery({
        grants,
        gateway: new HttpEventGateway({ url: config.ROKID_EVENT_GATEWAY_URL, timeoutMs: config.ROKID_EVENTS_TIMEOUT_MS }),
        positions: new DynamoDeliveryPositions(db, config.TABLE_NAME),
        refresher,
        devices: new DeviceService({ cloud: deviceCloud(config, db), log: logger }),
        // No user asked: the device cloud is called with the driver's service credential, naming the user.
        sessionFor: (vendorUserId) => serviceSession(vendorUserId, service),
        clock: systemClock,
        metrics: eventMetrics,
        log: logger,
      }),
    };
  });
