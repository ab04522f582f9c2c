/**
 * What a function starts while Lambda initialises it. Lambda runs a module's top level before the first event,
 * at full CPU whatever the function's memory (Powertools' Parameters prefetch uses the same phase): a round trip
 * every first answer needs (a secret, a data key) goes out then, and the first invocation awaits what it left.
 *
 * Only in Lambda (AWS_LAMBDA_FUNCTION_NAME is set): a test or the local runtime that imports a handler starts
 * nothing. A start that fails is not kept (once.ts, the secrets' cache, the cipher's data key): the first request
 * meets the failure again, and answers it. What one fetched may be minutes old at the first event (provisioned
 * concurrency initialises ahead): the secrets and data keys keep their own five-minute ages.
 *
 * In the benchmark, whose services answer on loopback, this measured level with leaving the fetches to the first
 * request (docs/performance.md): there is little round-trip time to take off.
 */
export function startAtInit(...starts: (() => unknown)[]): void {
  if (process.env['AWS_LAMBDA_FUNCTION_NAME'] === undefined) return;
  for (const start of starts) {
    try {
      const started = start();
      if (started instanceof Promise) started.catch(() => undefined);
    } catch {
      // A bad setting: the first request builds again, and answers the error.
    }
  }
}
