/**
 * `npm run bench:faults` in short, as part of npm test: 20 seconds of faults on the deployed assembly with a
 * fixed seed (test/bench/faults/run.ts). A driver that keeps its promises passes whatever the timing; any
 * violation fails the test with the run's summary and the seed that reproduces it.
 */
import { expect, it } from 'vitest';
import { runFaults } from '../bench/faults/run.ts';
import { summarize } from '../bench/faults/summary.ts';

const SEED = 28;

it('v2 Controls act at most once, every confirmed Response counts, and nothing answers 5xx, under 20 s of faults', {
  timeout: 240_000,
}, async () => {
  const run = await runFaults({ seed: SEED, seconds: 20, clients: 6 });
  const summary = summarize(run, SEED).join('\n');
  // The run must have met faults for its verdict to mean anything.
  expect(run.kills, summary).toBeGreaterThan(0);
  expect(run.verdict.applied, summary).toBeGreaterThan(20);
  expect(run.verdict.violations, summary).toEqual([]);
});
