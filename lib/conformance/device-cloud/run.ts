/**
 * A conformance run against a vendor's device cloud (`DEVICE_CLOUD=http`, docs/device-cloud.md), as the driver
 * calls it: who may read the devices, GET /devices and every device against the model, every action and the
 * device put back, 404 for an unknown device, the body of every error answer, and every answer's time.
 * The same report and exit codes as the driver checks.
 */
import { isErrorName } from '../../../functions/domain/errors.ts';
import { isRecord } from '../../../functions/domain/json.ts';
import { DriverClient } from '../driver-client.ts';
import { type Report, Results } from '../results.ts';
import { checkActions, checkUnknownDevice } from './action-checks.ts';
import type { CloudContext, DeviceCloudOptions } from './context.ts';
import { checkDevices, checkRefusals } from './list-checks.ts';

export async function runDeviceCloudConformance(
  baseUrl: string,
  options: DeviceCloudOptions & { execute: boolean },
  progress?: (line: string) => void,
): Promise<Report> {
  // Waits past the timeout, so a slow answer is measured and reported rather than cut off.
  const client = new DriverClient(baseUrl, options.timeoutMs + 5000);
  const context: CloudContext = {
    client,
    results: new Results(progress),
    options,
    execute: options.execute,
    errors: [],
    slow: [],
    reached: false,
  };
  await checkRefusals(context);
  const devices = await checkDevices(context);
  await checkUnknownDevice(context);
  if (devices) await checkActions(context, devices);
  context.results.expect(
    'errors.body',
    'every error answer has the body {"errorName"?, "message"}, any errorName a Homebase one',
    context.errors.flatMap(({ where, answer }) => errorBodyProblems(answer.json).map((p) => `${where} (HTTP ${answer.status}): ${p}`)),
  );
  context.results.expect('timing', `every answer within ${options.timeoutMs} ms (DEVICE_CLOUD_TIMEOUT_MS)`, context.slow);
  return context.results.report();
}

function errorBodyProblems(body: unknown): string[] {
  if (!isRecord(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  if (typeof body['message'] !== 'string' || body['message'] === '') problems.push('no "message"');
  if (body['errorName'] !== undefined && !isErrorName(body['errorName']))
    problems.push(`errorName ${JSON.stringify(body['errorName'])} is not a Homebase error name`);
  return problems;
}
