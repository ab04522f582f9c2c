/** What a function starts at init: only inside Lambda, and never a failure of its own (the first request meets it). */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startAtInit } from '../../functions/composition/at-init.ts';

let saved: string | undefined;
beforeEach(() => {
  saved = process.env['AWS_LAMBDA_FUNCTION_NAME'];
});
afterEach(() => {
  if (saved === undefined) delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
  else process.env['AWS_LAMBDA_FUNCTION_NAME'] = saved;
});

it('starts nothing outside Lambda: a test or the local runtime that imports a handler', () => {
  delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
  let started = 0;
  startAtInit(() => started++);
  expect(started).toBe(0);
});

it('starts each in turn inside Lambda, past one that throws and one that rejects', async () => {
  process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'homebase-command';
  const started: string[] = [];
  startAtInit(
    () => {
      started.push('throws');
      throw new Error('bad setting');
    },
    async () => {
      started.push('rejects');
      throw new Error('secret unreadable');
    },
    () => started.push('third'),
  );
  expect(started).toEqual(['throws', 'rejects', 'third']);
  // The rejection is handled: vitest fails a run on an unhandled one.
  await new Promise((resolve) => setTimeout(resolve, 10));
});
