/** What POST /device-events is built from: the signature's key, the 24-hour duplicate check and the queue. */

import { documentClient } from '../adapters/dynamodb/client.ts';
import { DynamoSeenEvents } from '../adapters/dynamodb/event-records.ts';
import type { ConfigSource } from '../config.ts';
import { DeviceEventIntake } from '../domain/events/intake.ts';
import { systemClock } from '../domain/ports.ts';
import { eventQueue } from './event-queue.ts';
import { once } from './once.ts';
import { secretSetting } from './secret-setting.ts';

/** POST /device-events: the signature's key, the duplicate check and the queue. */
export const deviceEventServices = (source: ConfigSource) =>
  once(() => {
    const config = source();
    const db = documentClient();
    return {
      config,
      secret: secretSetting(config.DEVICE_EVENTS_SECRET, config.DEVICE_EVENTS_SECRET_ARN),
      intake: new DeviceEventIntake({ seen: new DynamoSeenEvents(db, config.TABLE_NAME), queue: eventQueue(config), clock: systemClock }),
    };
  });
