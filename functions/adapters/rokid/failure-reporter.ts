/**
 * Rokid's planned `/report/failed` (digest 7.2 step 6, contradiction 19): form-encoded `userId`, `clientId` and
 * `sign = hex(HMAC-SHA256(clientSecret, "userId=…&clientId=…"))`, the parameters in that order, exactly as sent.
 * Behind ROKID_REPORT_FAILED_URL; unset, it is off.
 */

import type { FailureReporter } from '../../domain/events/ports.ts';
import { crypto } from '../../runtime/builtins.ts';
import { requestText } from '../http/request.ts';

export class HttpFailureReporter implements FailureReporter {
  readonly #settings: { url: string; clientId: string; clientSecret: () => Promise<string>; timeoutMs: number };

  constructor(settings: { url: string; clientId: string; clientSecret: () => Promise<string>; timeoutMs: number }) {
    this.#settings = settings;
  }

  async reportFailed(rokidUserId: string): Promise<void> {
    const { url, clientId, clientSecret, timeoutMs } = this.#settings;
    const signed = new URLSearchParams([
      ['userId', rokidUserId],
      ['clientId', clientId],
    ]).toString();
    const sign = crypto
      .createHmac('sha256', await clientSecret())
      .update(signed)
      .digest('hex');
    const answer = await requestText(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${signed}&sign=${sign}`,
      timeoutMs,
      maxBytes: 16 * 1024,
    });
    if (answer.status < 200 || answer.status >= 300) throw new Error(`Rokid answered /report/failed with HTTP ${answer.status}`);
  }
}
