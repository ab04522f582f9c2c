/**
 * Rokid's EventGateway (notify.md; event-gateway.md): one event per POST, the token in `header.authorization`
 * inside the JSON and, as well, in an `Authorization: Bearer` header. Only the status matters (202 carries no
 * body), so the answer's body is never read, let alone logged.
 */
import type { EventGateway, GatewayAnswer } from '../../domain/events/ports.ts';
import { requestText, TransportError } from '../http/request.ts';

export class HttpEventGateway implements EventGateway {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(settings: { url: string; timeoutMs: number }) {
    this.#url = settings.url;
    this.#timeoutMs = settings.timeoutMs;
  }

  async send(message: Record<string, unknown>, token: string): Promise<GatewayAnswer> {
    try {
      const answer = await requestText(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(message),
        timeoutMs: this.#timeoutMs,
        maxBytes: 16 * 1024,
      });
      return { status: answer.status };
    } catch (error) {
      if (error instanceof TransportError) return { status: 'unreachable', reason: error.message };
      throw error;
    }
  }
}
