/** The command function publishes `sign_ins_throttled` when sign-in throttling refuses a login, as the dashboard's sign-in widget needs. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';
import { captureOutput } from '../support/output.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
beforeAll(async () => {
  // npm test turns metrics off; this test is about them. One free failure, then a wait no test outlives.
  driver = await startHandlers({ LOGIN_FREE_FAILURES: '1', LOGIN_DELAY_BASE_S: '600' }, { POWERTOOLS_METRICS_DISABLED: 'false' });
});
afterAll(() => driver.close());

const login = (password: string) => driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password } }));

it('a wrong password is counted as no throttling; the login refused for the wait that follows is', async () => {
  const output = captureOutput();
  let wrong: Awaited<ReturnType<typeof login>>;
  let refused: Awaited<ReturnType<typeof login>>;
  try {
    wrong = await login('wrong');
    refused = await login('homebase');
  } finally {
    output.restore();
  }
  expect(wrong).toMatchObject({ status: 1, errorName: 'E_DRIVER_WRONG_USERNAME_PASSWORD' });
  expect(refused).toMatchObject({
    status: 1,
    errorName: 'E_DRIVER_LOGIN_FAILED',
    message: expect.stringMatching(/^Too many failed sign-in/),
  });
  const emf = output.entries().filter((entry) => entry['_aws'] && entry['sign_ins_throttled'] !== undefined);
  expect(emf).toHaveLength(1);
  expect(emf[0]).toMatchObject({ sign_ins_throttled: 1, service: 'homebase-driver' });
  expect(emf[0]?.['_aws'].CloudWatchMetrics[0]).toMatchObject({ Namespace: 'HomebaseDriver', Dimensions: [['service']] });
});
