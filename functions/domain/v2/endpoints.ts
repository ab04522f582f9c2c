/**
 * A v1 device as a v2 endpoint, as Discover answers it (the digest's section 5 and the v1 → v2 table), and
 * its additionalInfo back to the v1 deviceInfo that Control and Query need.
 *
 * additionalInfo must be flat (numbers, booleans, strings of at most 999 characters), with no `.` in a key
 * and at most 100 keys (docs v2/endpoint.md, rhome's schema). A deviceInfo that keeps those rules travels as
 * it is; one that breaks them travels encoded (base64url JSON, in pieces of 999 characters under the keys
 * `hbDeviceInfo`, `hbDeviceInfo1`, …) and is decoded again when it comes back; one too large even for 100
 * pieces cannot be expressed, and the device is left out (the caller logs it).
 */
import type { Device } from '../protocol/device.ts';
import { type Capability, capabilitiesOf } from './capabilities.ts';
import { type InterfaceState, statesOf } from './states.ts';

export interface Endpoint {
  endpointId: string;
  displayType: string;
  displayName: string;
  recommendRoomName?: string;
  recommendHomeName?: string;
  offline: boolean;
  additionalInfo: Record<string, string | number | boolean>;
  capabilities: readonly Capability[];
  states: InterfaceState[];
}

/** The key an encoded deviceInfo travels under; no real deviceInfo key can hold a `.`-free clash by chance. */
export const ENCODED_DEVICE_INFO = 'hbDeviceInfo';
const MAX_KEYS = 100;
const MAX_STRING = 999;

export function endpointOf(
  device: Device,
  /** `sampledAt`: when the states were read, as a Date or already in ISO 8601 (one Discover formats it once). */
  options: { sampledAt: Date | string; proactive?: boolean },
): { endpoint: Endpoint } | { omitted: string } {
  const additionalInfo = additionalInfoOf(device.deviceInfo ?? undefined);
  if (!additionalInfo) return { omitted: `its deviceInfo is over ${MAX_KEYS * MAX_STRING} characters even encoded` };
  return {
    endpoint: {
      endpointId: device.deviceId,
      // Both mean 电视盒子; `box` is the one the docs kept (contradiction 13).
      displayType: device.type === 'tvBox' ? 'box' : device.type,
      displayName: device.name,
      ...(device.roomName ? { recommendRoomName: device.roomName } : {}),
      ...(device.homeName ? { recommendHomeName: device.homeName } : {}),
      offline: device.offline ?? false,
      additionalInfo,
      capabilities: capabilitiesOf(device.actions, options.proactive ?? false),
      states: statesOf(device.state, options.sampledAt),
    },
  };
}

/** The deviceInfo as additionalInfo: as it is when it keeps v2's rules, else encoded; undefined when too large. */
export function additionalInfoOf(deviceInfo: Record<string, unknown> | undefined): Endpoint['additionalInfo'] | undefined {
  if (!deviceInfo) return {};
  const entries = Object.entries(deviceInfo);
  const flat =
    entries.length <= MAX_KEYS &&
    !Object.hasOwn(deviceInfo, ENCODED_DEVICE_INFO) &&
    entries.every(
      ([key, value]) =>
        !key.includes('.') &&
        (typeof value === 'boolean' ||
          (typeof value === 'number' && Number.isFinite(value)) ||
          (typeof value === 'string' && value.length <= MAX_STRING)),
    );
  if (flat) return deviceInfo as Endpoint['additionalInfo'];
  const encoded = Buffer.from(JSON.stringify(deviceInfo)).toString('base64url');
  const pieces = Math.ceil(encoded.length / MAX_STRING);
  if (pieces > MAX_KEYS) return undefined;
  return Object.fromEntries(Array.from({ length: pieces }, (_, i) => [pieceKey(i), encoded.slice(i * MAX_STRING, (i + 1) * MAX_STRING)]));
}

const pieceKey = (i: number) => (i === 0 ? ENCODED_DEVICE_INFO : `${ENCODED_DEVICE_INFO}${i}`);

/** The v1 deviceInfo an endpoint's additionalInfo stands for, decoded where it was encoded. */
export function deviceInfoOf(additionalInfo: unknown): Record<string, unknown> | undefined {
  if (typeof additionalInfo !== 'object' || additionalInfo === null || Array.isArray(additionalInfo)) return undefined;
  const info = additionalInfo as Record<string, unknown>;
  if (typeof info[ENCODED_DEVICE_INFO] !== 'string') return Object.keys(info).length > 0 ? info : undefined;
  let encoded = '';
  for (let i = 0; typeof info[pieceKey(i)] === 'string'; i++) encoded += info[pieceKey(i)];
  try {
    const decoded: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded) ? (decoded as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
