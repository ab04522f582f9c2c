/**
 * Run in a fresh Node process: imports one built Lambda bundle, as the runtime would, and invokes its
 * handler with each event from argv[3] (a JSON array), printing each result as a line of JSON.
 *
 *   node test/support/invoke-bundle.mjs dist/bundles/list/index.mjs '[{...event}]'
 *
 * Plain JavaScript, importing nothing of the project: a TypeScript file here (or one imported from here)
 * would turn on Node's type-stripping loader, which Lambda never runs, and which added some 20 ms to every
 * import it timed, more to some chunk layouts than to others (docs/performance.md).
 */
import { pathToFileURL } from 'node:url';

const [bundle, events] = process.argv.slice(2);
if (!bundle || !events) throw new Error('usage: invoke-bundle.mjs <bundle.mjs> <events.json>');

/** The Lambda context, as lib/local/lambda-context.ts gives it, with a 120-second budget. */
function lambdaContext(requestId) {
  const deadline = Date.now() + 120_000;
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

const builtIns = () => process.moduleLoadList;
const before = new Set(builtIns());
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();
for (const [i, event] of JSON.parse(events).entries()) {
  const result = await handler(event, lambdaContext(`bundle-${i}`));
  const firstAnswerMs = performance.now() - started;
  const loaded = builtIns().filter((name) => !before.has(name));
  console.log(JSON.stringify({ result, importMs: imported - started, firstAnswerMs, loaded }));
}
