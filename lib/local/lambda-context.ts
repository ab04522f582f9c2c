/**
 * The Lambda context a local invocation gets. Kept free of imports: the bundle benchmark's harness
 * loads it before the bundle it times, and a built-in loaded here would be free for the bundle there.
 */
import type { Context } from 'aws-lambda';

/** A Lambda context with a 30-second budget, as the deployed functions would see. */
export function lambdaContext(requestId: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'homebase-driver-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:homebase-driver-local',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/local/homebase-driver',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
