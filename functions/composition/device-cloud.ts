import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.ts';
import type { DeviceCloud } from '../domain/ports.ts';
import { onceAsync } from './once.ts';

/**
 * The configured device cloud: the vendor's over http, or the virtual one in the driver's table. Each is a chunk of
 * its own, so a function loads only the one configured (test/infra/bundles.test.ts); its read starts as the services
 * are built, alongside the first request's session.
 */
export const deviceCloud = (config: Config, db: DynamoDBDocumentClient): DeviceCloud => {
  const cloud = onceAsync(
    async (): Promise<DeviceCloud> =>
      config.DEVICE_CLOUD === 'http'
        ? new (await import('../adapters/device-cloud/http-cloud.ts')).HttpDeviceCloud({
            baseUrl: config.DEVICE_CLOUD_URL ?? '',
            timeoutMs: config.DEVICE_CLOUD_TIMEOUT_MS,
          })
        : new (await import('../adapters/device-cloud/virtual/virtual-cloud.ts')).VirtualDeviceCloud(db, config.TABLE_NAME),
  );
  cloud().catch(() => undefined); // a failed load is not kept: the first call loads it again, and answers the failure
  return {
    list: async (session) => (await cloud()).list(session),
    get: async (session, deviceId) => (await cloud()).get(session, deviceId),
    execute: async (session, deviceId, action, options) => (await cloud()).execute(session, deviceId, action, options),
  };
};
