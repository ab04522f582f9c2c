/** `npm run bench` reads its own arguments: `--help` answers at once, and an unknown name is refused. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['bin/bench.ts', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

it('answers --help with the benchmarks it runs, and measures nothing', async () => {
  const { code, stdout } = await run('--help');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^usage: npm run bench \[-- refresh\|lambda\|limits\|busy\|events\|faults \.\.\.\]/);
  expect(stdout).toContain('limits   sign-in throttling under a day of guessing');
});

it('refuses a benchmark it does not know, with exit 2', async () => {
  const { code, stderr } = await run('speed');
  expect(code).toBe(2);
  expect(stderr).toMatch(/^Unknown benchmark: speed\n\nusage: npm run bench/);
});

it.each([
  'test/bench/lambda.ts',
  'test/bench/refresh.ts',
  'test/bench/attempt-limits.ts',
  'test/bench/busy-device.ts',
  'test/bench/state-reports.ts',
  'test/bench/faults.ts',
])('%s answers --help without measuring', async (file) => {
  const { stdout } = await promisify(execFile)(process.execPath, [file, '--help']);
  expect(stdout).toMatch(/^usage: npm run bench:/);
});

it('bench:faults refuses an argument it does not know, or a value that is not a whole number, with exit 2', async () => {
  const cases = [['--speed', '3'], ['--seconds', 'ten'], ['--seconds', '0'], ['--seed']];
  const refusals = await Promise.all(
    cases.map((args) =>
      promisify(execFile)(process.execPath, ['test/bench/faults.ts', ...args]).catch((error: { code: number; stderr: string }) => error),
    ),
  );
  cases.forEach((args, i) => {
    expect(refusals[i], args.join(' ')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(`^Not understood: ${args.join(' ')}\n\nusage: npm run bench:faults`),
    });
  });
});
