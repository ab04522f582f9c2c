/** The device-cloud run's options: the credentials the driver would send, and the time it gives each call. */
import { UsageError } from '../../usage-error.ts';
import type { DeviceCloudOptions } from './context.ts';

export interface DeviceCloudValues {
  upstreamToken: string | undefined;
  serviceToken: string | undefined;
  userId: string | undefined;
  timeoutMs: string | undefined;
}

export const DEFAULT_TIMEOUT_MS = 2500;

export function deviceCloudOptions(values: DeviceCloudValues, env: NodeJS.ProcessEnv): DeviceCloudOptions {
  const { upstreamToken, serviceToken, userId } = values;
  if (upstreamToken !== undefined && serviceToken !== undefined)
    throw new UsageError('Give --upstream-token or --service-token: not both.');
  if (serviceToken !== undefined && userId === undefined)
    throw new UsageError('--service-token needs --user-id, the vendor user it acts for.');
  if (userId !== undefined && serviceToken === undefined) throw new UsageError('--user-id goes with --service-token.');
  if (upstreamToken === undefined && serviceToken === undefined) {
    throw new UsageError(
      'The device cloud needs credentials: --upstream-token (or CONFORMANCE_UPSTREAM_TOKEN), or --service-token (or CONFORMANCE_SERVICE_TOKEN) with --user-id.',
    );
  }
  const given = values.timeoutMs ?? env['DEVICE_CLOUD_TIMEOUT_MS'];
  const timeoutMs = given === undefined || given === '' ? DEFAULT_TIMEOUT_MS : Number(given);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout-ms is a whole number of milliseconds above 0.');
  return {
    credentials:
      serviceToken !== undefined
        ? { kind: 'service', token: serviceToken, userId: userId ?? '' }
        : { kind: 'upstream', token: upstreamToken ?? '' },
    timeoutMs,
  };
}
