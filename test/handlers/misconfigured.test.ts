import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';

// A file of its own: the handlers build their services once per module graph, as once per Lambda container.
describe('when the driver is misconfigured', () => {
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  beforeAll(async () => {
    driver = await startHandlers({ USERCENTER_URL: 'not a url' });
  });
  afterAll(() => driver.close());

  it('says which setting is wrong, on every request', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'x' } }));
      expect(answer).toEqual({
        status: 1,
        errorName: 'E_DRIVER_ERROR',
        message: expect.stringContaining('The driver is not configured correctly (USERCENTER_URL: expected'),
      });
    }
  });
});
