/**
 * The local stand-in for the EventBridge schedule: invokes a handler every `intervalS` seconds, one
 * run at a time, as the deployed function's reserved concurrency of 1 does.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.ts';

export interface LocalSchedule {
  /** Runs the handler now (waiting for a run in progress first) and answers what it returned. */
  runNow(): Promise<unknown>;
  close(): Promise<void>;
}

export function startSchedule(
  handler: (event: unknown, context: Context) => Promise<unknown>,
  options: { intervalS: number; timeoutMs: number; onError: (error: unknown) => void },
): LocalSchedule {
  let running: Promise<unknown> = Promise.resolve();
  const runNow = () => {
    running = running
      .catch(() => undefined)
      .then(() => handler({ source: 'local.schedule' }, lambdaContext(randomUUID(), options.timeoutMs)));
    return running;
  };
  const timer = setInterval(() => void runNow().catch(options.onError), options.intervalS * 1000);
  timer.unref();
  return {
    runNow,
    close: async () => {
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
