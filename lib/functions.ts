/**
 * The seven functions: their entry files and their sizing. Read by the CDK stack, the bundle tests and
 * benchmark, and the local runtime (which stops a refresh run where the deployed timeout would).
 */
export const FUNCTIONS = {
  list: 'functions/list.ts',
  execute: 'functions/execute.ts',
  command: 'functions/command.ts',
  directive: 'functions/directive.ts',
  refresh: 'functions/refresh.ts',
  deviceEvents: 'functions/device-events.ts',
  stateReports: 'functions/state-reports.ts',
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

export interface FunctionSizing {
  memoryMB: number;
  timeoutS: number;
  /** One run at a time, where set. */
  reservedConcurrency?: number;
}

// Homebase-facing: a /list is a few DynamoDB calls and one device-cloud call. 512 MB buys the CPU for a
// quick cold start; 6 s covers the worst warm case (an inline refresh at the upstream's 3 s timeout,
// then the device cloud's 2.5 s), and no answer later than that is of use to a voice user.
const HOMEBASE_FACING: FunctionSizing = { memoryMB: 512, timeoutS: 6 };

export const FUNCTION_SIZING: Record<FunctionName, FunctionSizing> = {
  list: HOMEBASE_FACING,
  execute: HOMEBASE_FACING,
  command: HOMEBASE_FACING,
  // v2 answers within 3 s by its own deadline (functions/http/directive-handler.ts); the timeout is only the backstop.
  directive: { memoryMB: 512, timeoutS: 5 },
  // The refresh run works through due links for up to two minutes, well inside the 5-minute schedule,
  // and one run at a time: a run that overlapped the next would only contend for the same leases.
  refresh: { memoryMB: 512, timeoutS: 120, reservedConcurrency: 1 },
  // A body of a thousand events is a thousand conditional writes and a hundred queue calls, run 64 at a time.
  deviceEvents: { memoryMB: 512, timeoutS: 15 },
  // A batch of ten events, each a device read, a gateway call and, after a 401, a token refresh and a resend.
  stateReports: { memoryMB: 512, timeoutS: 60 },
};

/** The metrics namespace the functions write (EMF) and the alarms read. */
export const METRICS_NAMESPACE = 'HomebaseDriver';
export const SERVICE = 'homebase-driver';

/**
 * What every function's environment holds besides the driver's settings. The bundle tests and the
 * benchmark run the bundles with it too, so that they measure the runtime as deployed.
 *
 * No NODE_OPTIONS. `--enable-source-maps` made each cold start read and parse the bundle's source maps:
 * a cold /list took 1.63× the bare handler with it and 1.25× without (docs/performance.md). The maps
 * are still deployed beside the code, and `npm run stack-trace` maps a logged stack back to the sources.
 */
export const RUNTIME_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: SERVICE,
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_LOG_LEVEL: 'INFO',
} as const;
