/**
 * What the fault run records: each message the clients sent and every answer its sends got, each action call
 * the device cloud received (with the message it came from, known by the environment that made it, and the
 * Idempotency-Key it carried), the messages the driver logged as answered unconfirmed, and each device's state
 * at the start and the end. check.ts reads it.
 */
import type { State } from '../../../functions/domain/protocol/device.ts';

export type AdjustableProperty = 'brightness' | 'volume';

/** What a Control asks, in the device's terms. */
export type Intent =
  | { op: 'set'; property: AdjustableProperty; value: number }
  | { op: 'adjust'; property: AdjustableProperty; delta: number }
  | { op: 'switch'; value: 'on' | 'off' };

/** One send's answer, as the client saw it. */
export type Answer =
  | { kind: 'response' }
  /** An ErrorResponse: its v2 name, and its vendorCode (a device cloud's HTTP status travels there). */
  | { kind: 'error'; name: string; vendorCode?: string }
  /** The environment was killed under it: API Gateway answers 502, and Rokid resends. Not the driver's answer. */
  | { kind: 'killed' }
  /** An HTTP status other than 200 from the function, or the function failing as Lambda reports it. */
  | { kind: 'status'; status: number; detail: string }
  | { kind: 'unreadable'; detail: string };

export interface SentMessage {
  messageId: string;
  user: string;
  endpointId: string;
  /** `Brightness.Adjust`, `ReportState`, … */
  directive: string;
  /** A Control's; a ReportState has none. */
  intent?: Intent;
  answers: Answer[];
}

/** One POST …/actions the device cloud received. */
export interface ActionCall {
  /** The order in which the device cloud received the calls. */
  seq: number;
  /** The order in which it applied them (a slow call is applied after calls received later). */
  appliedSeq?: number;
  deviceId: string;
  /** By the environment that made the call; undefined for a call made outside any invocation. */
  messageId: string | undefined;
  /** The Idempotency-Key header, if the driver sent one. */
  key: string | undefined;
  action: unknown;
  applied: boolean;
  before?: State;
  after?: State;
}

export interface History {
  messages: SentMessage[];
  calls: ActionCall[];
  /** messageIds the driver logged `v2 answer unconfirmed` for. */
  unconfirmed: string[];
  initial: Record<string, State>;
  final: Record<string, State>;
}

/** Faults injected: counted by kind, and listed by the message whose sends met them (to explain a violation). */
export class FaultLog {
  readonly counts = new Map<string, number>();
  readonly byMessage = new Map<string, string[]>();

  add(kind: string, tag: string, call: number): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const messageId = messageIdOfTag(tag);
    this.byMessage.set(messageId, [
      ...(this.byMessage.get(messageId) ?? []),
      `send ${tag.slice(messageId.length + 1)} call ${call}: ${kind}`,
    ]);
  }
}

/** The message a send belongs to, from the tag the clients give each send: `<messageId>#<send>`. */
export const messageIdOfTag = (tag: string): string => tag.slice(0, tag.lastIndexOf('#'));
