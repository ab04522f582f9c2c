/**
 * No log call uses a key Powertools' logger reserves (it would drop the field and log a warning in its
 * place). The reserved keys are read from Powertools itself, and every log call of a run of requests
 * (successes, refusals, bad input, an unexpected failure) is checked.
 */
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ROOT } from '../../lib/bundling.ts';
import { startHandlers } from '../support/handlers.ts';
import { captureOutput } from '../support/output.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  driver = await startHandlers({}, { POWERTOOLS_LOG_LEVEL: 'INFO' });
});
afterAll(() => driver.close());

it('no log call uses a reserved key, and the logger never warns of one', async () => {
  const { ReservedKeys } = (await import(pathToFileURL(`${ROOT}node_modules/@aws-lambda-powertools/logger/lib/esm/constants.js`).href)) as {
    ReservedKeys: string[];
  };
  expect(ReservedKeys).toContain('message');
  const { logger } = await import('../../functions/observability.ts');
  const calls: { level: string; details: unknown[] }[] = [];
  const spies = (['debug', 'info', 'warn', 'error'] as const).map((level) =>
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
      calls.push({ level, details: args.slice(1) });
    }),
  );
  try {
    const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
    const userAuth = login.data;
    await driver.call('list', JSON.stringify({ userAuth }));
    await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'wrong' } }));
    await driver.call('list', JSON.stringify({ userAuth: { userToken: 'hbu.nolink.secret' } }));
    await driver.call('execute', '{"device":');
    await driver.call('command', JSON.stringify({ command: 'nope' }));
    await driver.call('execute', JSON.stringify({ device: { deviceId: 'vd-none', userAuth }, action: { property: 'switch', name: 'on' } }));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  expect(calls.length).toBeGreaterThan(6);
  for (const call of calls) {
    for (const detail of call.details) {
      if (typeof detail === 'object' && detail !== null)
        expect(Object.keys(detail).filter((key) => ReservedKeys.includes(key))).toEqual([]);
    }
  }
  // And with the real logger: no "reserved key" warning in the output.
  const capture = captureOutput();
  try {
    await driver.call('list', JSON.stringify({ userAuth: { userToken: 'hbu.nolink.secret' } }));
  } finally {
    capture.restore();
  }
  const lines = capture.written.join('');
  expect(lines).toContain('E_DRIVER_SIGN_ERROR');
  expect(lines).toContain('"reason":');
  expect(lines).not.toContain('reserved key');
});
