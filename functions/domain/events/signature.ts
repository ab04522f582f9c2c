/**
 * The device-events webhook's signature (docs/device-cloud.md): `X-Timestamp` in epoch seconds, and
 * `X-Signature: sha256=<hex HMAC-SHA256 over "<timestamp>.<raw body>">` with DEVICE_EVENTS_SECRET. A timestamp
 * more than 5 minutes away is refused, so a captured request cannot be replayed later.
 */
import { crypto } from '../../runtime/builtins.ts';
import { sameSecret } from '../same-secret.ts';

const { createHmac } = crypto;

export const SIGNATURE_TOLERANCE_S = 300;

export const signEvents = (secret: string, timestamp: number | string, rawBody: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;

/** Why a signature is refused, in words for the device cloud's engineers; undefined when it holds. */
export function signatureProblem(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowS: number,
): string | undefined {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return 'X-Timestamp and X-Signature are required (docs/device-cloud.md).';
  if (!/^\d{1,12}$/.test(timestamp)) return 'X-Timestamp must be the time in whole seconds since the epoch.';
  if (Math.abs(Number(timestamp) - nowS) > SIGNATURE_TOLERANCE_S) {
    return "X-Timestamp is more than 5 minutes away from the driver's clock; sign each request when it is sent.";
  }
  if (!sameSecret(signature, signEvents(secret, timestamp, rawBody))) {
    return 'X-Signature does not match: expected sha256=<hex HMAC-SHA256 of "<X-Timestamp>.<body>"> with the shared secret.';
  }
  return undefined;
}
