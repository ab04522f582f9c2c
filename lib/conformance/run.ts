/**
 * A conformance run against any v1 HTTP remote driver (or, with `protocol: 'v2'`, a v2 one: v2/run.ts): /command where it has one, /list and its
 * devices, /execute, hostile input, every error envelope, and the OAuth 2.0 metadata where served.
 * The order matters only where a check needs what an earlier one learned (the userAuth, the devices).
 */
import { checkCommand, checkOAuth2Metadata } from './checks/command-checks.ts';
import { checkActions, checkExecuteErrors } from './checks/execute-checks.ts';
import { checkErrorEnvelopes, checkHostileInput } from './checks/hostile-checks.ts';
import { checkList, checkListBadToken } from './checks/list-checks.ts';
import type { CheckContext, RunOptions } from './context.ts';
import { runDeviceCloudConformance } from './device-cloud/run.ts';
import { DriverClient } from './driver-client.ts';
import { type Report, Results } from './results.ts';
import { runV2Conformance } from './v2/run.ts';

/** Throws UnreachableError when the driver cannot be reached at all. */
export async function runConformance(options: RunOptions, progress?: (line: string) => void): Promise<Report> {
  if (options.protocol === 'v2') return runV2Conformance(options, progress);
  if (options.protocol === 'device-cloud' && options.deviceCloud)
    return runDeviceCloudConformance(options.baseUrl, { ...options.deviceCloud, execute: options.execute }, progress);
  const context: CheckContext = {
    client: new DriverClient(options.baseUrl),
    results: new Results(progress),
    options,
    userAuth: undefined,
    hasCommand: undefined,
    errors: [],
  };
  const loggedIn = await checkCommand(context);
  context.userAuth =
    options.userToken !== undefined ? { ...(options.userId ? { userId: options.userId } : {}), userToken: options.userToken } : loggedIn;
  const devices = await checkList(context);
  await checkListBadToken(context);
  await checkExecuteErrors(context, devices);
  await checkActions(context, devices);
  await checkHostileInput(context);
  await checkOAuth2Metadata(context);
  checkErrorEnvelopes(context);
  return context.results.report();
}
