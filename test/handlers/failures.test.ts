import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandlers } from '../support/handlers.ts';
import { captureOutput } from '../support/output.ts';
import { closedPortUrl } from '../support/scripted-server.ts';

describe('when the driver itself fails', () => {
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  beforeAll(async () => {
    // A DynamoDB endpoint where nothing listens: every table call fails inside the SDK.
    driver = await startHandlers({}, { AWS_ENDPOINT_URL_DYNAMODB: await closedPortUrl(), POWERTOOLS_METRICS_DISABLED: 'false' });
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

  it('counts the failure in unexpected_errors, by service and function, for the alarm', async () => {
    const capture = captureOutput();
    try {
      await driver.call('list', JSON.stringify({ userAuth: { userToken: 'hbu.somelink.secret' } }));
    } finally {
      capture.restore();
    }
    const emf = capture.entries().find((entry) => entry.unexpected_errors !== undefined);
    expect(emf).toMatchObject({ unexpected_errors: 1, service: 'homebase-driver', function: 'homebase-driver-local' });
    expect(emf?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'HomebaseDriver', Dimensions: [['service', 'function']] });
  });
});
