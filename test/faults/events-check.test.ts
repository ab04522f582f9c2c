/**
 * The event half's check (lib/assembly/faults/events-check.ts) on planted histories: each kind of violation it
 * must name, exactly, and the outcomes it must excuse (superseded, a ghost, an ended grant) counted, not blamed.
 */
import { describe, expect, it } from 'vitest';
import { type AcceptedReport, checkEvents, type SentEvent } from '../../lib/assembly/faults/events-check.ts';

const sent = (messageId: string, sequence: number, extra: Partial<SentEvent> = {}): SentEvent => ({
  messageId,
  endpoint: 'u/light',
  grant: 'u',
  sequence,
  interfaces: ['Switch'],
  ghost: false,
  ...extra,
});
const report = (messageId: string, value: string, inEndpoint = value, name = 'Switch'): AcceptedReport => ({
  messageId,
  name: 'ChangeReport',
  endpoint: { states: [{ interface: name, value: inEndpoint }] },
  change: [{ interface: name, value }],
});
const none = new Set<string>();

describe('checkEvents', () => {
  it('passes a history where every acknowledged event arrived, in order', () => {
    const verdict = checkEvents([sent('a', 1), sent('b', 2)], [report('a', 'Off'), report('b', 'On')], none);
    expect(verdict).toEqual({ acknowledged: 2, delivered: 2, superseded: 0, ghosts: 0, ended: 0, duplicates: 0, violations: [] });
  });

  it('names an acknowledged event that never reached the gateway as lost', () => {
    const verdict = checkEvents([sent('a', 1), sent('b', 2, { interfaces: ['Brightness'] })], [report('a', 'On')], none);
    expect(verdict.violations).toEqual(['lost: u/light sequence 2 (b)']);
  });

  it('refuses a history where two acknowledged events share a messageId, rather than let one hide the other', () => {
    const verdict = checkEvents([sent('a', 1), sent('a', 2, { endpoint: 'u/ghost', ghost: true })], [report('a', 'On')], none);
    expect(verdict.violations).toEqual([
      '1 acknowledged events share a messageId with another',
      'a ghost device was reported: u/ghost (a)',
    ]);
  });

  it('names an older change that arrived after a newer one of the same interface', () => {
    const verdict = checkEvents([sent('a', 1), sent('b', 2)], [report('b', 'On'), report('a', 'Off')], none);
    expect(verdict.violations).toEqual(['u/light/Switch went backwards: sequence 1 after 2 (a)']);
  });

  it('names a report whose change disagrees with its endpoint.states, or is missing from them', () => {
    const missing: AcceptedReport = {
      messageId: 'b',
      name: 'ChangeReport',
      endpoint: { states: [] },
      change: [{ interface: 'Switch', value: 'On' }],
    };
    const verdict = checkEvents([sent('a', 1), sent('b', 2)], [report('a', 'Off', 'On'), missing], none);
    expect(verdict.violations).toEqual([
      'a report contradicts itself: u/light/Switch "Off" in the change (a)',
      'a report contradicts itself: u/light/Switch "On" in the change (b)',
    ]);
  });

  it('names a ghost device reported to the gateway', () => {
    const verdict = checkEvents([sent('g', 1, { endpoint: 'u/ghost', ghost: true })], [report('g', 'On')], none);
    expect(verdict.violations).toEqual(['a ghost device was reported: u/ghost (g)']);
  });

  it('counts an older change overtaken on the same interface as superseded, but not one overtaken on another', () => {
    const history = [sent('a', 1), sent('b', 2), sent('c', 3, { interfaces: ['Brightness'] })];
    expect(checkEvents(history, [report('b', 'On'), report('c', '40', '40', 'Brightness')], none)).toMatchObject({
      delivered: 2,
      superseded: 1,
      violations: [],
    });
    // a (Switch, 1) is not excused by c (Brightness, 3): supersession is per interface.
    expect(
      checkEvents(
        history.filter((e) => e.messageId !== 'b'),
        [report('c', '40', '40', 'Brightness')],
        none,
      ).violations,
    ).toEqual(['lost: u/light sequence 1 (a)']);
  });

  it('counts a ghost not sent and the events of a grant a confirmed 403 ended, and blames no other grant', () => {
    const history = [sent('g', 1, { endpoint: 'u/ghost', ghost: true }), sent('a', 1), sent('v', 1, { endpoint: 'v/light', grant: 'v' })];
    const verdict = checkEvents(history, [], new Set(['u']));
    expect(verdict).toMatchObject({ ghosts: 1, ended: 1, violations: ['lost: v/light sequence 1 (v)'] });
  });

  it('allows one duplicate in a short run, and names two among fewer than 200', () => {
    const events = Array.from({ length: 20 }, (_, i) => sent(`m${i}`, i));
    const accepted = [...events.map((e) => report(e.messageId, 'On')), report('m19', 'On')];
    expect(checkEvents(events, accepted, none)).toMatchObject({ duplicates: 1, violations: [] });
    expect(checkEvents(events, [...accepted, report('m19', 'On')], none).violations).toEqual(['2 duplicates of 20 delivered: over 1 %']);
  });

  it('allows 1 % of deliveries twice, and names more', () => {
    const events = Array.from({ length: 100 }, (_, i) => sent(`m${i}`, i));
    const accepted = [...events.map((e) => report(e.messageId, 'On')), report('m99', 'On')];
    expect(checkEvents(events, accepted, none)).toMatchObject({ duplicates: 1, violations: [] });
    expect(checkEvents(events, [...accepted, report('m99', 'On')], none).violations).toEqual(['2 duplicates of 100 delivered: over 1 %']);
  });
});
