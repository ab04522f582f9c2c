/**
 * A conformance run against any v2 driver (Rokid's 若琪智能家居协议) at `<base-url>/v2`: Discover and every
 * endpoint, ReportState, every listed Control (and the endpoint put back), at-most-once delivery, every
 * error by name, and hostile messages. The same report and exit codes as the v1 run.
 */
import type { RunOptions } from '../context.ts';
import { DriverClient } from '../driver-client.ts';
import { type Report, Results } from '../results.ts';
import type { V2Context } from './context.ts';
import { checkAtMostOnce, checkControls } from './control-checks.ts';
import { checkDiscover, checkReportState } from './discovery-checks.ts';
import { checkErrorResponses, checkErrors, checkHostile } from './error-checks.ts';

export async function runV2Conformance(options: RunOptions, progress?: (line: string) => void): Promise<Report> {
  const context: V2Context = { client: new DriverClient(options.baseUrl), results: new Results(progress), options, errors: [] };
  const endpoints = await checkDiscover(context);
  await checkReportState(context, endpoints);
  await checkControls(context, endpoints);
  await checkAtMostOnce(context, endpoints);
  await checkErrors(context, endpoints);
  await checkHostile(context);
  checkErrorResponses(context);
  return context.results.report();
}
