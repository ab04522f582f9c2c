/** npm start's stand-in for the EventBridge schedule: runs on its interval, one run at a time. */
import { expect, it } from 'vitest';
import { startSchedule } from '../../lib/local/schedule.ts';

it('invokes the handler every interval, never two runs at once, and runNow waits its turn', async () => {
  let running = 0;
  let overlapped = false;
  let runs = 0;
  const schedule = startSchedule(
    async () => {
      running++;
      overlapped ||= running > 1;
      await new Promise((resolve) => setTimeout(resolve, 30));
      running--;
      return ++runs;
    },
    { intervalS: 0.01, timeoutMs: 1000, onError: () => undefined },
  );
  await new Promise((resolve) => setTimeout(resolve, 150));
  const answer = await schedule.runNow();
  await schedule.close();
  expect(runs).toBeGreaterThanOrEqual(3);
  expect(answer).toBeGreaterThanOrEqual(3);
  expect(overlapped).toBe(false);
});
