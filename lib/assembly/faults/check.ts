/**
 * The fault run's verdict on a history (history.ts): at most once per messageId, every confirmed Response
 * applied once and as asked, nothing applied after a definite refusal, the final state explained by what
 * was applied, and no 5xx. Pure: the unit test feeds it planted histories.
 */
import { NUMERIC_RANGES, type State } from '../../../functions/domain/protocol/device.ts';
import type { ActionCall, Answer, History, Intent, SentMessage } from './history.ts';

/** v2 errors that do not say whether the device acted: a timeout, a failure after the call, a delivery still at work. */
export const AMBIGUOUS_ERRORS: ReadonlySet<string> = new Set([
  'E_ENDPOINT_UNREACHABLE',
  'E_INTERNAL_ERROR',
  'E_SERVER_UNREACHABLE',
  'E_GATEWAY_UNREACHABLE',
  'E_ENDPOINT_BUSY',
]);

export const VIOLATION_KINDS = [
  'acted twice',
  'Idempotency-Key',
  'Response never applied',
  'applied after a definite error',
  'applied other than asked',
  'final state not explained',
  '5xx',
  'unexpected answer',
  'no final answer',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Violation {
  kind: ViolationKind;
  messageId?: string;
  detail: string;
}

export interface Verdict {
  violations: Violation[];
  /** Controls whose answer the driver logged as unconfirmed. */
  unconfirmed: number;
  applied: number;
  /** Controls answered Response and not logged unconfirmed. */
  confirmed: number;
}

/** What the intent makes of a state: the device cloud's semantics, clamped to the property's range. */
export function applyIntent(state: State, intent: Intent): State {
  if (intent.op === 'switch') return { ...state, switch: intent.value };
  const range = NUMERIC_RANGES[intent.property];
  const from = Number(state[intent.property] ?? range.min);
  const to = intent.op === 'set' ? intent.value : Math.min(range.max, Math.max(range.min, from + intent.delta));
  return { ...state, [intent.property]: to };
}

const COMPARED = ['switch', 'brightness', 'volume'] as const;
const differences = (a: State, b: State) => COMPARED.filter((p) => a[p] !== b[p]).map((p) => `${p} ${String(a[p])} ≠ ${String(b[p])}`);

const isFinal = (answer: Answer | undefined) =>
  answer !== undefined && answer.kind !== 'killed' && !(answer.kind === 'error' && answer.name === 'E_ENDPOINT_BUSY');
/**
 * An ErrorResponse that says nothing was done: a definite name, or the device cloud's own error status (its
 * HTTP status as the vendorCode), which by the contract applied nothing and gave the message back.
 */
const saysNothingDone = (answer: Answer) =>
  answer.kind === 'error' && (!AMBIGUOUS_ERRORS.has(answer.name) || /^[45]\d\d$/.test(answer.vendorCode ?? ''));

export function checkHistory(history: History): Verdict {
  const violations: Violation[] = [];
  const add = (kind: ViolationKind, detail: string, messageId?: string) =>
    violations.push({ kind, detail, ...(messageId === undefined ? {} : { messageId }) });
  const byId = new Map(history.messages.map((m) => [m.messageId, m]));
  const unconfirmed = new Set(history.unconfirmed);
  const applied = history.calls.filter((call) => call.applied).sort((a, b) => (a.appliedSeq ?? a.seq) - (b.appliedSeq ?? b.seq));
  const appliedOf = new Map<string, ActionCall[]>();
  for (const call of applied) {
    if (call.messageId === undefined) add('final state not explained', `${call.deviceId}: an action applied outside any invocation`);
    else appliedOf.set(call.messageId, [...(appliedOf.get(call.messageId) ?? []), call]);
  }
  checkKeys(history.calls, add);

  let confirmed = 0;
  for (const message of history.messages) {
    const acts = appliedOf.get(message.messageId) ?? [];
    checkAnswers(message, add);
    if (!message.intent) continue;
    const responded = message.answers.some((a) => a.kind === 'response');
    if (responded && !unconfirmed.has(message.messageId)) confirmed++;
    if (acts.length > 1) add('acted twice', `${message.directive} applied ${acts.length} times`, message.messageId);
    if (responded && !unconfirmed.has(message.messageId) && acts.length === 0) {
      add('Response never applied', `${message.directive} answered Response (confirmed), applied 0 times`, message.messageId);
    }
    const finals = message.answers.filter(isFinal);
    const definite = finals.length > 0 && finals.every(saysNothingDone);
    if (definite && acts.length > 0) {
      const names = finals.map((a) => (a.kind === 'error' ? `${a.name}${a.vendorCode ? ` (${a.vendorCode})` : ''}` : a.kind)).join(', ');
      add('applied after a definite error', `${message.directive} answered ${names}, applied ${acts.length} times`, message.messageId);
    }
    for (const act of acts) {
      if (!act.before || !act.after) continue;
      const wrong = differences(act.after, applyIntent(act.before, message.intent));
      if (wrong.length > 0) {
        add('applied other than asked', `${message.directive} ${JSON.stringify(act.action)}: ${wrong.join(', ')}`, message.messageId);
      }
    }
  }

  // Replayed in the device cloud's order from the start, what was applied must give the state it ended in.
  const replayed: Record<string, State> = structuredClone(history.initial);
  for (const call of applied) {
    const intent = call.messageId === undefined ? undefined : byId.get(call.messageId)?.intent;
    const state = replayed[call.deviceId];
    if (intent && state) replayed[call.deviceId] = applyIntent(state, intent);
  }
  for (const [deviceId, final] of Object.entries(history.final)) {
    const wrong = differences(final, replayed[deviceId] ?? {});
    if (wrong.length > 0) add('final state not explained', `${deviceId}: the device ended with ${wrong.join(', ')} (replayed)`);
  }
  return {
    violations,
    unconfirmed: history.messages.filter((m) => m.intent && unconfirmed.has(m.messageId)).length,
    applied: applied.length,
    confirmed,
  };
}

/** One key per message, for every send, and no key shared by two messages; none applied without one. */
function checkKeys(calls: ActionCall[], add: (kind: ViolationKind, detail: string, messageId?: string) => void): void {
  const keysOf = new Map<string, Set<string>>();
  const messageOf = new Map<string, string>();
  const keyless = calls.filter((call) => call.applied && call.key === undefined);
  if (keyless.length > 0) add('Idempotency-Key', `${keyless.length} actions applied without an Idempotency-Key`);
  for (const call of calls) {
    if (call.key === undefined || call.messageId === undefined) continue;
    keysOf.set(call.messageId, (keysOf.get(call.messageId) ?? new Set()).add(call.key));
    const other = messageOf.get(call.key);
    if (other !== undefined && other !== call.messageId) add('Idempotency-Key', `one key sent for ${other} and ${call.messageId}`);
    messageOf.set(call.key, call.messageId);
  }
  for (const [messageId, keys] of keysOf) {
    if (keys.size > 1) add('Idempotency-Key', `${keys.size} different keys for the sends of one message`, messageId);
  }
}

function checkAnswers(message: SentMessage, add: (kind: ViolationKind, detail: string, messageId?: string) => void): void {
  for (const answer of message.answers) {
    if (answer.kind === 'status' && answer.status >= 500) add('5xx', `${answer.status}: ${answer.detail}`, message.messageId);
    else if (answer.kind === 'status' || answer.kind === 'unreadable') add('unexpected answer', answer.detail, message.messageId);
  }
  // Rokid resends a message whose last send got no answer; the run resends until the last answer is final.
  if (!isFinal(message.answers.at(-1))) {
    const names = new Map<string, number>();
    for (const a of message.answers)
      names.set(a.kind === 'error' ? a.name : a.kind, (names.get(a.kind === 'error' ? a.name : a.kind) ?? 0) + 1);
    const told = [...names].map(([name, n]) => `${name} ×${n}`).join(', ');
    add('no final answer', `${message.directive}, after all its resends: ${told || 'never sent'}`, message.messageId);
  }
}
