/**
 * The fault run's checker (lib/assembly/faults/check.ts) on planted histories: each violation it exists to
 * find is found, with the message it concerns, and a history that keeps every promise passes.
 */
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../lib/assembly/faults/check.ts';
import type { ActionCall, Answer, History, Intent, SentMessage } from '../../lib/assembly/faults/history.ts';
import { draw, FaultPlan, Rng } from '../../lib/assembly/faults/plan.ts';

const LIGHT = 'vd-light';
const adjust = (messageId: string, delta: number, ...answers: Answer[]): SentMessage => ({
  messageId,
  user: 'u',
  endpointId: LIGHT,
  directive: 'Brightness.Adjust',
  intent: { op: 'adjust', property: 'brightness', delta } satisfies Intent,
  answers,
});
const applied = (seq: number, messageId: string, action: unknown, from: number, to: number, key = `key-${messageId}`): ActionCall => ({
  seq,
  deviceId: LIGHT,
  messageId,
  key,
  action,
  applied: true,
  before: { switch: 'on', brightness: from },
  after: { switch: 'on', brightness: to },
});
const history = (messages: SentMessage[], calls: ActionCall[], final: number, unconfirmed: string[] = []): History => ({
  messages,
  calls,
  unconfirmed,
  initial: { [LIGHT]: { switch: 'on', brightness: 50 } },
  final: { [LIGHT]: { switch: 'on', brightness: final } },
});
const response: Answer = { kind: 'response' };
const kinds = (h: History) => checkHistory(h).violations.map((v) => [v.kind, v.messageId]);

describe('the fault run checker', () => {
  it('passes a history that keeps every promise, and counts what it saw', () => {
    const h = history(
      [adjust('m1', 10, response), adjust('m2', -5, { kind: 'killed' }, response), adjust('m3', 60, response)],
      [
        applied(0, 'm1', { name: 'up', value: 10 }, 50, 60),
        applied(1, 'm2', { name: 'down', value: 5 }, 60, 55),
        applied(2, 'm3', {}, 55, 100),
      ],
      100,
      ['m2'],
    );
    expect(checkHistory(h)).toEqual({ violations: [], unconfirmed: 1, applied: 3, confirmed: 2 });
  });

  it('replays in the order the device cloud applied, not the order it received: a slow call applies last', () => {
    const set = (messageId: string, value: number): SentMessage => ({
      ...adjust(messageId, 0, response),
      directive: 'Brightness.Set',
      intent: { op: 'set', property: 'brightness', value },
    });
    const slow = { ...applied(0, 'm1', { name: 'num', value: 10 }, 20, 10), appliedSeq: 1 };
    const quick = { ...applied(1, 'm2', { name: 'num', value: 20 }, 50, 20), appliedSeq: 0 };
    expect(checkHistory(history([set('m1', 10), set('m2', 20)], [slow, quick], 10)).violations).toEqual([]);
    expect(checkHistory(history([set('m1', 10), set('m2', 20)], [slow, quick], 20)).violations).toEqual([
      { kind: 'final state not explained', detail: 'vd-light: the device ended with brightness 20 ≠ 10 (replayed)' },
    ]);
  });

  it('finds a messageId applied twice under one Idempotency-Key', () => {
    const h = history([adjust('m1', 10, { kind: 'killed' }, response)], [applied(0, 'm1', {}, 50, 60), applied(1, 'm1', {}, 60, 70)], 70);
    expect(kinds(h)).toEqual([['acted twice', 'm1']]);
  });

  it('finds an Adjust answered Response (confirmed) that was never applied, and not one logged unconfirmed', () => {
    const lost = history([adjust('m1', 10, response)], [], 50);
    expect(kinds(lost)).toEqual([['Response never applied', 'm1']]);
    expect(checkHistory(history([adjust('m1', 10, { kind: 'killed' }, response)], [], 50, ['m1'])).violations).toEqual([]);
  });

  it('finds an Adjust applied as an absolute value from a stale read, and the final state it cannot explain', () => {
    // Both read 50; the second wrote 55 where +5 on the first's 60 is 65.
    const h = history(
      [adjust('m1', 10, response), adjust('m2', 5, response)],
      [applied(0, 'm1', { name: 'num', value: 60 }, 50, 60), applied(1, 'm2', { name: 'num', value: 55 }, 60, 55)],
      55,
    );
    expect(checkHistory(h).violations).toEqual([
      { kind: 'applied other than asked', messageId: 'm2', detail: 'Brightness.Adjust {"name":"num","value":55}: brightness 55 ≠ 65' },
      { kind: 'final state not explained', detail: 'vd-light: the device ended with brightness 55 ≠ 65 (replayed)' },
    ]);
  });

  it('finds an action applied after a definite refusal or an error status, but not after an ambiguous failure', () => {
    const refused = history([adjust('m1', 10, { kind: 'error', name: 'E_VALUE_OUT_OF_RANGE' })], [applied(0, 'm1', {}, 50, 60)], 60);
    expect(kinds(refused)).toEqual([['applied after a definite error', 'm1']]);
    const timedOut = history([adjust('m1', 10, { kind: 'error', name: 'E_ENDPOINT_UNREACHABLE' })], [applied(0, 'm1', {}, 50, 60)], 60);
    expect(kinds(timedOut)).toEqual([]);
    // The device cloud's own error status (its HTTP status as the vendorCode) applied nothing, by the contract.
    const failed = history(
      [adjust('m1', 10, { kind: 'error', name: 'E_SERVER_UNREACHABLE', vendorCode: '503' })],
      [applied(0, 'm1', {}, 50, 60)],
      60,
    );
    expect(kinds(failed)).toEqual([['applied after a definite error', 'm1']]);
    const dropped = history(
      [adjust('m1', 10, { kind: 'error', name: 'E_SERVER_UNREACHABLE', vendorCode: '' })],
      [applied(0, 'm1', {}, 50, 60)],
      60,
    );
    expect(kinds(dropped)).toEqual([]);
  });

  it('finds keys missing or shared, a 5xx, and a message left without a final answer', () => {
    const h = history(
      [adjust('m1', 10, response), adjust('m2', 10, response), adjust('m3', 1, { kind: 'status', status: 500, detail: 'boom' })],
      [applied(0, 'm1', {}, 50, 60, 'same'), applied(1, 'm2', {}, 60, 70, 'same')],
      70,
    );
    expect(kinds(h)).toEqual([
      ['Idempotency-Key', undefined],
      ['5xx', 'm3'],
    ]);
    const keyless = history([adjust('m1', 10, response)], [{ ...applied(0, 'm1', {}, 50, 60), key: undefined }], 60);
    expect(checkHistory(keyless).violations).toEqual([{ kind: 'Idempotency-Key', detail: '1 actions applied without an Idempotency-Key' }]);
    const lastLost = history([adjust('m1', 10, response, { kind: 'killed' })], [applied(0, 'm1', {}, 50, 60)], 60);
    expect(kinds(lastLost)).toEqual([['no final answer', 'm1']]);
    const stuck = history([adjust('m1', 10, { kind: 'killed' }, { kind: 'error', name: 'E_ENDPOINT_BUSY' })], [], 50);
    expect(checkHistory(stuck).violations).toEqual([
      { kind: 'no final answer', messageId: 'm1', detail: 'Brightness.Adjust, after all its resends: killed ×1, E_ENDPOINT_BUSY ×1' },
    ]);
  });
});

describe('the fault plan', () => {
  it('draws the same operations and faults from the same seed, and others from another', () => {
    const faults = (seed: number) =>
      Array.from({ length: 200 }, (_, call) => [new FaultPlan(seed).dynamo('m#0', call), new FaultPlan(seed).cloud('m#0', call)]);
    expect(faults(3)).toEqual(faults(3));
    expect(faults(3)).not.toEqual(faults(4));
    const stream = (seed: number) => {
      const rng = new Rng(seed, 'client', 0);
      return Array.from({ length: 20 }, () => rng.int(0, 1000));
    };
    expect(stream(3)).toEqual(stream(3));
    expect(stream(3)).not.toEqual(stream(4));
    expect(draw(1, 'a')).toBeGreaterThanOrEqual(0);
    expect(draw(1, 'a')).toBeLessThan(1);
  });

  it('draws nothing while the run drains', () => {
    const plan = new FaultPlan(3, { ...new FaultPlan(3).rates, killBefore: 1 });
    expect(plan.dynamo('m#0', 0)).toEqual({ kind: 'kill before dynamodb' });
    plan.enabled = false;
    expect(plan.dynamo('m#0', 0)).toEqual({ kind: 'none' });
    expect(plan.cloud('m#0', 0)).toEqual({ kind: 'none' });
  });
});
