/** What every check shares: the driver, the results so far, and what earlier checks learned. */
import type { DeviceCloudOptions } from './device-cloud/context.ts';
import type { Answer, DriverClient } from './driver-client.ts';
import type { Results } from './results.ts';

export interface UserAuth {
  userId?: string;
  userToken: string;
}

export interface RunOptions {
  baseUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  userId?: string | undefined;
  userToken?: string | undefined;
  /** Where the `OAuth` command is asked to send the browser back. */
  callbackUrl: string;
  /** Whether actions are executed on the devices (off by default away from loopback). */
  execute: boolean;
  /** The pause between two actions on a device, beside the device's own execDelay. */
  execDelayMs: number;
  /** Which protocol to check: v1 (`/list`, `/execute`, `/command`; the default) or v2 (every message at `/v2`). */
  protocol?: 'v1' | 'v2' | 'device-cloud';
  /** v2: a driver access token, sent as the BearerToken. */
  bearer?: string | undefined;
  /** v2: JWT authorization, signed here as Rokid signs it. */
  jwt?: { appId: string; appSecret: string; userId: string } | undefined;
  /** v2: the console's custom headers (自定义 Header), sent with every message. */
  headers?: Record<string, string>;
  /** device-cloud: the credentials the driver would send a vendor's device cloud, and the time it gives each call. */
  deviceCloud?: DeviceCloudOptions;
}

export interface CheckContext {
  client: DriverClient;
  results: Results;
  options: RunOptions;
  userAuth: UserAuth | undefined;
  /** Undefined until checked: whether the driver has /command at all. */
  hasCommand: boolean | undefined;
  /** Every error envelope seen, for the check that they all follow the protocol. */
  errors: { where: string; answer: Answer }[];
}

/** Records an answer that is an error envelope (status > 0), wherever it came from. */
export function noteError(context: CheckContext, where: string, answer: Answer): void {
  const body = answer.json;
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && (body as Record<string, unknown>)['status'] !== 0) {
    context.errors.push({ where, answer });
  }
}
