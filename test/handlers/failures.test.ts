import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';
import { closedPortUrl } from '../support/scripted-server.ts';

describe('when the driver itself fails', () => {
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  beforeAll(async () => {
    // A DynamoDB endpoint where nothing listens: every table call fails inside the SDK.
    driver = await startHandlers({}, { AWS_ENDPOINT_URL_DYNAMODB: await closedPortUrl() });
  });
  afterAll(() => driver.close());

  it('answers E_DRIVER_ERROR with the request id to report, and no stack or internals', async () => {
    const answer = await driver.call('list', JSON.stringify({ userAuth: { userToken: 'hbu.somelink.secret' } }));
    expect(answer).toEqual({
      status: 1,
      errorName: 'E_DRIVER_ERROR',
      message: 'The driver failed unexpectedly. Try again; if it keeps failing, report the request id to the driver operators.',
      debugInfo: 'requestId=req-1',
    });
  });
});
