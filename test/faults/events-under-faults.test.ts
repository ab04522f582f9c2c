/**
 * `npm run bench:faults`'s event half in short, as part of npm test: 30 seconds of faults on the deployed assembly
 * with state reports on and a fixed seed (test/bench/faults/events.ts). A driver that keeps its promises passes
 * whatever the timing: every acknowledged event reaches the gateway in order per (endpoint, interface) unless
 * superseded, a ghost or its grant ended; duplicates at most 1 %; no report contradicts itself. A run that stops
 * making progress fails with its watchdog's message rather than hanging.
 */
import { expect, it } from 'vitest';
import { summarizeEvents } from '../bench/faults/event-summary.ts';
import { runEventFaults } from '../bench/faults/events.ts';

const SEED = 29;

it('acknowledged device events reach the gateway in order, once, and agree with themselves, under 30 s of faults', {
  timeout: 300_000,
}, async () => {
  const run = await runEventFaults({ seed: SEED, seconds: 30 });
  const summary = summarizeEvents(run).join('\n');
  // The run must have met faults and delivered events for its verdict to mean anything.
  expect(run.kills, summary).toBeGreaterThan(0);
  expect(run.verdict.delivered, summary).toBeGreaterThan(10);
  expect(run.verdict.violations, summary).toEqual([]);
});
