/**
 * One Lambda execution environment, forked by lambda-host.ts: imports the handler from the function's
 * own asset folder, as the Node.js runtime does, and answers each invocation the host sends over IPC.
 * Kept free of project imports, so the process holds the asset's code and nothing of ours.
 *
 *   node lambda-worker.ts <asset dir> <handler, e.g. index.handler> <timeout s> <memory MB>
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Invocation {
  id: number;
  event: unknown;
  requestId: string;
}

const [assetDir, handlerSetting, timeoutS, memoryMB] = process.argv.slice(2);
if (!assetDir || !handlerSetting || !timeoutS || !memoryMB)
  throw new Error('usage: lambda-worker.ts <asset dir> <handler> <timeout s> <memory MB>');
const dot = handlerSetting.lastIndexOf('.');
const [file, exportName] = [handlerSetting.slice(0, dot), handlerSetting.slice(dot + 1)];
// The runtime's order: .mjs first, then .js (here always ESM: the assets carry no package.json).
const modulePath = ['.mjs', '.js'].map((ext) => join(assetDir, `${file}${ext}`)).find((path) => existsSync(path));
if (!modulePath) throw new Error(`no ${file}.mjs or ${file}.js in ${assetDir}`);
const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error(`${modulePath} does not export ${exportName}`);
const functionName = process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'function';

process.on('message', async ({ id, event, requestId }: Invocation) => {
  const deadline = Date.now() + Number(timeoutS) * 1000;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: process.env['HARNESS_FUNCTION_ARN'] ?? '',
    memoryLimitInMB: memoryMB,
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await (handler as (event: unknown, context: unknown) => Promise<unknown>)(event, context);
    process.send?.({ id, result: result === undefined ? null : result });
  } catch (error) {
    // As the runtime reports an error: its type and message, never the whole object.
    const err = error instanceof Error ? error : new Error(String(error));
    process.send?.({ id, error: { errorType: err.name, errorMessage: err.message } });
  }
});
process.send?.({ ready: true });
