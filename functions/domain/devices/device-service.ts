import * as v from 'valibot';
import { DeviceNotFoundError, DriverError } from '../errors.ts';
import type { CloudSession, DeviceCloud, DiagnosticsLog, SendOptions } from '../ports.ts';
import { type Action, type ActionRequest, resolveAction } from '../protocol/action.ts';
import { type Device, DeviceSchema, type State, StateSchema } from '../protocol/device.ts';
import { describeDeviceIssue } from '../protocol/validation.ts';

/**
 * /list, /get and /execute over whatever device cloud is configured. Nothing the cloud answers
 * reaches Homebase unchecked: a device or state that breaks the protocol is a driver error.
 */
export class DeviceService {
  readonly #cloud: DeviceCloud;
  readonly #log: DiagnosticsLog;

  constructor(deps: { cloud: DeviceCloud; log: DiagnosticsLog }) {
    this.#cloud = deps.cloud;
    this.#log = deps.log;
  }

  /** A malformed device is left out and logged, so one bad device does not hide the user's whole home. */
  async list(session: CloudSession): Promise<Device[]> {
    const devices: Device[] = [];
    for (const raw of await this.#cloud.list(session)) {
      const result = v.safeParse(DeviceSchema, raw);
      if (result.success) devices.push(result.output);
      else this.#log.warn('Device cloud returned a malformed device; left out of /list', malformed(raw, result.issues));
    }
    return devices;
  }

  async get(session: CloudSession, deviceId: string): Promise<Device> {
    // No device cloud has ids this long; refusing here keeps them out of table keys and URLs.
    if (Buffer.byteLength(deviceId) > MAX_DEVICE_ID_BYTES) throw notFound(deviceId);
    const raw = await this.#cloud.get(session, deviceId);
    if (raw === undefined) throw notFound(deviceId);
    const result = v.safeParse(DeviceSchema, raw);
    if (!result.success) {
      this.#log.warn('Device cloud returned a malformed device', malformed(raw, result.issues));
      // The first problem only: enough for the vendor to fix it, and short enough for a voice assistant's log.
      throw new DriverError(`Device "${deviceId}" is malformed in the device cloud: ${describeDeviceIssue(result.issues[0])}`);
    }
    return result.output;
  }

  async execute(session: CloudSession, deviceId: string, request: ActionRequest): Promise<State> {
    return this.apply(session, await this.get(session, deviceId), request);
  }

  /** Runs an action on a device just read with `get` (v2's Control reads it first, to map its directive). */
  async apply(session: CloudSession, device: Device, request: ActionRequest, options: SendOptions = {}): Promise<State> {
    return this.send(session, device.deviceId, resolveAction(device, request), options);
  }

  /**
   * Sends an action already checked with `resolveAction`. The cloud's answer is read as the device's new state;
   * one that breaks the protocol is a driver error, though the device has acted.
   */
  async send(session: CloudSession, deviceId: string, action: Action, options: SendOptions = {}): Promise<State> {
    const raw = await this.#cloud.execute(session, deviceId, action, options);
    const result = v.safeParse(StateSchema, raw);
    if (!result.success) {
      this.#log.warn('Device cloud returned a malformed state', malformed({ deviceId }, result.issues));
      throw new DriverError(`Device "${deviceId}" reported a state the protocol does not allow.`, { mayHaveActed: true });
    }
    return result.output;
  }
}

/** Well under DynamoDB's 1,024-byte sort key, with room for the key's prefix. */
export const MAX_DEVICE_ID_BYTES = 512;

const notFound = (deviceId: string) =>
  new DeviceNotFoundError(
    `Device "${deviceId.length > 64 ? `${deviceId.slice(0, 64)}…` : deviceId}" was not found in your account. It may have been removed; refresh the device list.`,
  );

/** Only the device id and what was wrong: never the whole payload, which may carry addresses or keys. */
function malformed(raw: unknown, issues: readonly v.BaseIssue<unknown>[]): Record<string, unknown> {
  const deviceId = typeof raw === 'object' && raw !== null && 'deviceId' in raw ? String(raw.deviceId) : undefined;
  return { deviceId, problems: issues.slice(0, 5).map(describeDeviceIssue) };
}
