import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HttpDeviceCloud } from '../adapters/device-cloud/http-cloud.ts';
import { VirtualDeviceCloud } from '../adapters/device-cloud/virtual/virtual-cloud.ts';
import type { Config } from '../config.ts';
import type { DeviceCloud } from '../domain/ports.ts';

/** The configured device cloud: the vendor's over http, or the virtual one in the driver's table. */
export const deviceCloud = (config: Config, db: DynamoDBDocumentClient): DeviceCloud =>
  config.DEVICE_CLOUD === 'http'
    ? new HttpDeviceCloud({ baseUrl: config.DEVICE_CLOUD_URL ?? '', timeoutMs: config.DEVICE_CLOUD_TIMEOUT_MS })
    : new VirtualDeviceCloud(db, config.TABLE_NAME);
