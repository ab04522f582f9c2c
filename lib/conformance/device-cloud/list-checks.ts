/** Who may read the devices (credentials refused with 401), GET /devices and its shape, and every device against the model. */
import { isErrorName } from '../../../functions/domain/errors.ts';
import { isRecord } from '../../../functions/domain/json.ts';
import { deviceLabel, deviceProblems, stateKeyProblems } from '../device-rules.ts';
import type { Answer } from '../driver-client.ts';
import { authHeaders, type CloudContext, call, devicesOf, statusOf } from './context.ts';

const SIGN_ERRORS = new Set(['E_DRIVER_SIGN_ERROR', 'E_INVALID_AUTHORIZATION']);

/** A refusal as the contract has it: 401, and any errorName one the driver reads as a sign-in error. */
function refusalProblems(answer: Answer): string[] {
  if (answer.status !== 401) return [`${statusOf(answer)}, not 401`];
  const name = isRecord(answer.json) ? answer.json['errorName'] : undefined;
  return name === undefined || SIGN_ERRORS.has(String(name))
    ? []
    : [`401 with errorName ${JSON.stringify(name)}, which is not a sign-in error`];
}

export async function checkRefusals(context: CloudContext): Promise<void> {
  const { results, options } = context;
  const { credentials } = options;
  const none = await call(context, 'GET /devices without credentials', '/devices', {}, { method: 'GET' });
  results.expect('auth.none', 'GET /devices without credentials is refused with 401', refusalProblems(none));
  const forged =
    credentials.kind === 'service'
      ? { ...credentials, token: `not-${credentials.token}` }
      : { ...credentials, token: 'conformance-not-a-token' };
  const wrong = await call(context, 'GET /devices with a wrong token', '/devices', authHeaders(forged), { method: 'GET' });
  results.expect('auth.bad-token', 'GET /devices with a token the cloud never issued is refused with 401', refusalProblems(wrong));
  const title = `the service token without X-Homebase-User-Id is refused with 401`;
  if (credentials.kind !== 'service') {
    results.skip('auth.service-token-alone', title, 'no --service-token given');
    return;
  }
  const alone = await call(
    context,
    `GET /devices with the service token alone`,
    '/devices',
    { authorization: `Bearer ${credentials.token}` },
    { method: 'GET' },
  );
  results.expect('auth.service-token-alone', title, refusalProblems(alone));
}

/** GET /devices as the run's user: the devices, or undefined when the answer is not `{"devices": [...]}`. */
export async function checkDevices(context: CloudContext): Promise<unknown[] | undefined> {
  const { results, options } = context;
  const answer = await call(context, 'GET /devices', '/devices', authHeaders(options.credentials), { method: 'GET' });
  const devices = devicesOf(answer);
  const title = 'GET /devices answers 200 {"devices": [Device, …]}';
  if (!devices) {
    const why =
      answer.status === 200
        ? 'the body is not {"devices": [...]}'
        : `${statusOf(answer)}${errorNameOf(answer)}${answer.status === 401 || answer.status === 403 ? ': the credentials were not accepted' : ''}`;
    results.fail('devices.list', title, why);
    return undefined;
  }
  results.pass('devices.list', title, devices.length === 0 ? 'the user has no devices: nothing more to check' : '');
  const seen = new Set<string>();
  const duplicates = devices.map(deviceLabel).filter((id) => seen.size === seen.add(id).size);
  results.expect(
    'devices.unique-ids',
    'deviceIds are unique',
    duplicates.map((id) => `${id} is listed more than once`),
  );
  for (const device of devices) {
    const label = deviceLabel(device);
    const problems = [...deviceProblems(device), ...stateKeyProblems(device)];
    // Each problem on its line of its own: the vendor fixes them all, not the first three.
    if (problems.length === 0) results.pass(`device.${label}`, `${label} follows the device model`);
    else results.fail(`device.${label}`, `${label} follows the device model (the driver leaves it out)`, problems.join('\n    '));
  }
  return devices;
}

const errorNameOf = (answer: Answer) =>
  isRecord(answer.json) && isErrorName(answer.json['errorName']) ? ` ${answer.json['errorName']}` : '';
