import {
  DeviceNotFoundError,
  DriverError,
  DriverTimeoutError,
  ERROR_CLASSES,
  type HomebaseError,
  isErrorName,
  ServerUnreachableError,
  SignError,
} from '../../domain/errors.ts';
import { isRecord } from '../../domain/json.ts';
import type { CloudSession, DeviceCloud, SendOptions } from '../../domain/ports.ts';
import type { Action } from '../../domain/protocol/action.ts';
import { crypto } from '../../runtime/builtins.ts';
import { requestJson, TransportError } from '../http/request-json.ts';
import { macAuthorization } from './mac-signature.ts';
import { ACTING_FOR_HEADER, encodeUserIdHeader } from './user-id-header.ts';

/** Names an action call: the same key is the same request (draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export interface HttpCloudSettings {
  /** Base URL of the vendor's device API, e.g. https://devices.example.com/homebase */
  baseUrl: string;
  timeoutMs: number;
}

/**
 * A vendor device cloud reached over REST (the contract is docs/device-cloud.md):
 *   GET  {base}/devices                      → 200 {"devices": Device[]}
 *   POST {base}/devices/{deviceId}/actions   → 200 {"state": State}
 * Both carry `Authorization: Bearer <upstream access token>`, or a MAC signature (mac-signature.ts) when
 * the upstream issued a token of type mac. A v2 JWT user has no upstream token: their calls carry the
 * driver's service token and name the user in `X-Homebase-User-Id` (user-id-header.ts). A 4xx/5xx body may carry
 * {"errorName": "E_…", "message": "…"}, which is passed on to Homebase.
 */
export class HttpDeviceCloud implements DeviceCloud {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(settings: HttpCloudSettings) {
    this.#base = settings.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = settings.timeoutMs;
  }

  async list(session: CloudSession): Promise<unknown[]> {
    const body = await this.#call(session, 'GET', '/devices');
    const devices = isRecord(body) ? body['devices'] : undefined;
    if (!Array.isArray(devices)) throw new DriverError('The device cloud answered /devices without a "devices" array.');
    return devices;
  }

  /** The contract has no single-device read, so this lists and picks. */
  async get(session: CloudSession, deviceId: string): Promise<unknown> {
    const devices = await this.list(session);
    return devices.find((device) => isRecord(device) && device['deviceId'] === deviceId);
  }

  async execute(session: CloudSession, deviceId: string, action: Action, options: SendOptions = {}): Promise<unknown> {
    const body = await this.#call(session, 'POST', `/devices/${encodeURIComponent(deviceId)}/actions`, {
      payload: action,
      deviceId,
      idempotencyKey: options.idempotencyKey ?? crypto.randomUUID(),
    });
    if (!isRecord(body) || !isRecord(body['state'])) {
      // A 2xx: the action was taken, whatever came back with it.
      throw new DriverError('The device cloud answered the action without a "state" object.', { mayHaveActed: true });
    }
    return body['state'];
  }

  async #call(session: CloudSession, method: 'GET' | 'POST', path: string, action?: ActionCall): Promise<unknown> {
    // A caller with a deadline (v2's 3 s) gives the cloud only what is left of it.
    const timeoutMs = Math.min(this.#timeoutMs, session.deadline?.remainingMs() ?? Number.POSITIVE_INFINITY);
    try {
      if (timeoutMs <= 0) throw new DriverTimeoutError('No time was left to ask the device cloud before the answer was due.');
      const url = `${this.#base}${path}`;
      const { accessToken, mac, actingFor } = await session.credentials();
      const authorization = mac
        ? macAuthorization({ accessToken, macKey: mac.key, algorithm: mac.algorithm }, method, new URL(url))
        : `Bearer ${accessToken}`;
      const answer = await requestJson(url, {
        method,
        headers: {
          authorization,
          ...(actingFor === undefined ? {} : { [ACTING_FOR_HEADER]: encodeUserIdHeader(actingFor) }),
          ...(action ? { [IDEMPOTENCY_KEY_HEADER]: action.idempotencyKey } : {}),
        },
        body: action?.payload,
        timeoutMs,
      });
      if (answer.ok) return answer.body;
      throw failure(answer.status, answer.body, { deviceId: action?.deviceId, serviceToken: actingFor !== undefined });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      // An action that went out and got no answer may have been applied (docs/device-cloud.md).
      const details = { cause: error, mayHaveActed: action !== undefined && error.sent };
      if (error.timedOut) throw new DriverTimeoutError(`The device cloud did not answer within ${Math.round(timeoutMs)} ms.`, details);
      throw new ServerUnreachableError('The device cloud cannot be reached.', details);
    }
  }
}

interface ActionCall {
  payload: Action;
  deviceId: string;
  idempotencyKey: string;
}

/** An error status means nothing was applied (the contract, docs/device-cloud.md). */
function failure(status: number, body: unknown, call: { deviceId: string | undefined; serviceToken: boolean }): HomebaseError {
  const { deviceId } = call;
  const details = { vendorErrorCode: String(status) };
  const message = isRecord(body) && typeof body['message'] === 'string' ? body['message'].slice(0, 300) : undefined;
  if (isRecord(body) && isErrorName(body['errorName'])) {
    return new ERROR_CLASSES[body['errorName']](message ?? `The device cloud answered ${status}.`, details);
  }
  if (status === 401 && call.serviceToken) {
    // The driver's own credential, not the user's: no reason to end the user's binding.
    return new DriverError(
      "The device cloud refused the driver's service token (HTTP 401): its operators must check DEVICE_CLOUD_SERVICE_TOKEN against the device cloud's.",
      { vendorErrorCode: 'SERVICE_TOKEN_REFUSED' },
    );
  }
  if (status === 401) {
    return new SignError('The device cloud no longer accepts your sign-in. Link your account again in the Rokid app.', details);
  }
  if (status === 404 && deviceId !== undefined) {
    return new DeviceNotFoundError(`Device "${deviceId}" was not found in the device cloud.`, details);
  }
  if (status >= 500) return new ServerUnreachableError(`The device cloud failed (HTTP ${status}). Try again shortly.`, details);
  return new DriverError(message ?? `The device cloud refused the request (HTTP ${status}).`, details);
}
