/** The event half's check (lib/assembly/faults/events-check.ts) on hand-made histories: each violation it names, and none where there is none. */
import { describe, expect, it } from 'vitest';
import { type AcceptedReport, checkEvents, type SentEvent } from '../../lib/assembly/faults/events-check.ts';

const sent = (messageId: string, sequence: number, extra: Partial<SentEvent> = {}): SentEvent => ({
  messageId,
  endpoint: 'u/light',
  sequence,
  interfaces: ['Switch'],
  ghost: false,
  ...extra,
});
const report = (messageId: string, value: string, inEndpoint = value): AcceptedReport => ({
  messageId,
  name: 'ChangeReport',
  endpoint: { states: [{ interface: 'Switch', value: inEndpoint }] },
  change: [{ interface: 'Switch', value }],
});

describe('checkEvents', () => {
  it('an older change not delivered because a newer one was is superseded, not lost', () => {
    const verdict = checkEvents([sent('a', 1), sent('b', 2)], [report('b', 'On')], new Set());
    expect(verdict).toMatchObject({ delivered: 1, superseded: 1, violations: [] });
  });

  it('names a lost event, a step backwards, a report that contradicts itself and a ghost sent', () => {
    const verdict = checkEvents(
      [sent('a', 1), sent('b', 2), sent('c', 3, { interfaces: ['Brightness'] }), sent('g', 1, { endpoint: 'u/ghost', ghost: true })],
      [report('b', 'On'), report('a', 'Off', 'On'), report('g', 'On')],
      new Set(),
    );
    expect(verdict.violations).toEqual([
      'u/light/Switch went backwards: sequence 1 after 2 (a)',
      'a report contradicts itself: u/light/Switch "Off" in the change (a)',
      'a ghost device was reported: u/ghost (g)',
      'lost: u/light sequence 3 (c)',
    ]);
  });

  it('more than 1 % delivered twice is a violation', () => {
    const events = Array.from({ length: 100 }, (_, i) => sent(`m${i}`, i));
    const accepted = [...events.map((e) => report(e.messageId, 'On')), report('m99', 'On')];
    expect(checkEvents(events, accepted, new Set()).violations).toEqual([]);
    expect(checkEvents(events, [...accepted, report('m99', 'On')], new Set()).violations).toEqual([
      '2 duplicates of 100 delivered: over 1 %',
    ]);
  });
});
