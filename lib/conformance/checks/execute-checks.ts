/**
 * /execute: every action of every device (unless read-only), each answer's state agreeing with the
 * action and the next /list showing it kept; then the device put back as it was. And the errors: an
 * unknown device, a bad token, an action the device does not list.
 */

import { isRecord } from '../../../functions/domain/json.ts';
import { PROPERTIES } from '../../../functions/domain/protocol/device.ts';
import { type CheckContext, noteError, type UserAuth } from '../context.ts';
import { deviceLabel, EXEMPT, expectedState, numValue, putBackAction } from '../device-rules.ts';
import { dataOf, errorEnvelopeProblems, errorNameOf, successProblems } from '../envelopes.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Action {
  property: string;
  name: string;
  value?: unknown;
}

const execute = (context: CheckContext, device: Record<string, unknown>, userAuth: UserAuth, action: Action) =>
  context.client.post('/execute', {
    device: {
      deviceId: device['deviceId'],
      state: device['state'],
      ...(device['deviceInfo'] ? { deviceInfo: device['deviceInfo'] } : {}),
      userAuth,
    },
    action,
  });

/** The errors /execute must answer, whatever the devices. */
export async function checkExecuteErrors(context: CheckContext, devices: unknown[] | undefined): Promise<void> {
  const { results, userAuth } = context;
  const action = { property: 'switch', name: 'on' };
  const unknownDevice = { deviceId: `conformance-no-such-device-${Date.now()}` };
  if (!userAuth) {
    results.skip('execute.unknown-device', 'an unknown deviceId gets E_DRIVER_DEVICE_NO_FOUND', 'no credentials');
  } else {
    const answer = await execute(context, unknownDevice, userAuth, action);
    noteError(context, '/execute (unknown device)', answer);
    const problems = errorEnvelopeProblems(answer);
    if (problems.length === 0 && errorNameOf(answer) !== 'E_DRIVER_DEVICE_NO_FOUND')
      problems.push(`errorName is ${String(errorNameOf(answer))}`);
    results.expect('execute.unknown-device', 'an unknown deviceId gets E_DRIVER_DEVICE_NO_FOUND', problems);
  }
  // An unknown device as well as a bad token: a driver that wrongly acts on it still touches nothing.
  const badToken = await execute(
    context,
    unknownDevice,
    { userId: userAuth?.userId ?? 'conformance', userToken: 'conformance-not-a-token' },
    action,
  );
  noteError(context, '/execute (bad token)', badToken);
  const problems = errorEnvelopeProblems(badToken);
  const name = errorNameOf(badToken);
  if (problems.length === 0 && name !== 'E_DRIVER_SIGN_ERROR' && name !== 'E_INVALID_AUTHORIZATION')
    problems.push(`errorName is ${String(name)}`);
  results.expect('execute.bad-token', '/execute with a token the driver never issued gets a sign-in error', problems);

  const target = online(devices).find((d) => isRecord(d['actions']));
  const title = 'an action the device does not list gets an error envelope';
  if (!userAuth || !target) results.skip('execute.unlisted-action', title, userAuth ? 'no online device' : 'no credentials');
  else if (!context.options.execute) results.skip('execute.unlisted-action', title, 'read-only: pass --execute to send actions');
  else {
    const actions = target['actions'] as Record<string, unknown>;
    const property = ['ping', 'channel', 'swing_mode', 'humidity', ...PROPERTIES].find((p) => !Object.hasOwn(actions, p));
    if (!property) results.skip('execute.unlisted-action', title, `${deviceLabel(target)} lists every property`);
    else {
      const answer = await execute(context, target, userAuth, { property, name: property === 'ping' ? 'trigger' : 'up' });
      noteError(context, '/execute (unlisted action)', answer);
      results.expect(
        'execute.unlisted-action',
        title,
        errorEnvelopeProblems(answer).map((p) => `${deviceLabel(target)} ${property}: ${p}`),
      );
    }
  }
}

/** Every action of every online device, then each device restored. */
export async function checkActions(context: CheckContext, devices: unknown[] | undefined): Promise<void> {
  const { results, userAuth, options } = context;
  if (!userAuth || !devices) return;
  for (const device of devices.filter(isRecord)) {
    const label = deviceLabel(device);
    if (device['offline'] === true) {
      results.skip(`execute.${label}`, `the actions of ${label}`, 'the device is offline');
      continue;
    }
    if (!options.execute) {
      results.skip(
        `execute.${label}`,
        `the actions of ${label}`,
        'read-only: pass --execute to send actions (the default away from loopback)',
      );
      continue;
    }
    const before = isRecord(device['state']) ? { ...device['state'] } : {};
    const delayMs = Math.max(options.execDelayMs, typeof device['execDelay'] === 'number' ? device['execDelay'] : 0);
    const actions = isRecord(device['actions']) ? device['actions'] : {};
    let current: Record<string, unknown> = device;
    for (const [property, names] of Object.entries(actions)) {
      for (const name of Array.isArray(names) ? names.map(String) : []) {
        const id = `execute.${label}.${property}.${name}`;
        const title = `${label}: ${property} ${name}`;
        if (EXEMPT.has(property) || EXEMPT.has(name)) {
          results.skip(id, title, 'exempt: its result cannot be checked');
          continue;
        }
        const state = isRecord(current['state']) ? current['state'] : {};
        const value = name === 'num' ? numValue(property, state[property]) : undefined;
        const answer = await execute(context, current, userAuth, { property, name, ...(value === undefined ? {} : { value }) });
        noteError(context, `/execute ${property} ${name}`, answer);
        const problems = successProblems(answer);
        const expected = expectedState(property, name, value);
        if (problems.length === 0 && expected !== undefined) {
          const data = dataOf(answer);
          // Seed 002 allows empty state fields: only a value that is there must agree.
          const answered = isRecord(data) ? data[property] : undefined;
          if (answered !== undefined && answered !== null && answered !== expected) {
            problems.push(`the answer's state.${property} is ${JSON.stringify(answered)}, not ${JSON.stringify(expected)}`);
          }
          const listed = await relist(context, label);
          const kept = listed && isRecord(listed['state']) ? listed['state'][property] : undefined;
          if (kept !== expected)
            problems.push(`the next /list shows state.${property} ${JSON.stringify(kept)}, not ${JSON.stringify(expected)}`);
          if (listed) current = listed;
        }
        results.expect(id, title, problems);
        if (delayMs > 0) await sleep(delayMs);
      }
    }
    await restore(context, current, userAuth, before, actions, delayMs);
  }
}

/** Puts the device back as it was before the run, with the actions it lists. */
async function restore(
  context: CheckContext,
  device: Record<string, unknown>,
  userAuth: UserAuth,
  before: Record<string, unknown>,
  actions: Record<string, unknown>,
  delayMs: number,
): Promise<void> {
  const label = deviceLabel(device);
  const problems: string[] = [];
  // A property the run gave a value it had none of before cannot be taken away again: there is no
  // action for "no value". Such a device is said not to be put back, with why, and not claimed restored.
  const added = Object.keys(
    device['state'] && typeof device['state'] === 'object' ? (device['state'] as Record<string, unknown>) : {},
  ).filter((property) => !(property in before) || before[property] === null || before[property] === undefined);
  for (const [property, value] of Object.entries(before)) {
    const names = Array.isArray(actions[property]) ? (actions[property] as unknown[]) : [];
    const action = putBackAction(property, value, names);
    if (!action) continue;
    const answer = await execute(context, device, userAuth, action);
    noteError(context, `/execute restore ${property}`, answer);
    problems.push(...successProblems(answer).map((p) => `${property}: ${p}`));
    if (delayMs > 0) await sleep(delayMs);
  }
  if (problems.length === 0 && added.length > 0) {
    const now = added
      .map((property) => `${property}: ${JSON.stringify((device['state'] as Record<string, unknown>)[property])}`)
      .join(', ');
    context.results.skip(
      `execute.${label}.restore`,
      `${label} is put back as it was`,
      `cannot be put back as it was: it had no ${added.join(', ')} before the run and now has ${now}, and no action removes a value`,
    );
    return;
  }
  context.results.expect(`execute.${label}.restore`, `${label} is put back as it was`, problems);
}

async function relist(context: CheckContext, deviceId: string): Promise<Record<string, unknown> | undefined> {
  const answer = await context.client.post('/list', { userAuth: context.userAuth });
  const data = dataOf(answer);
  return Array.isArray(data) ? data.filter(isRecord).find((d) => d['deviceId'] === deviceId) : undefined;
}

const online = (devices: unknown[] | undefined) => (devices ?? []).filter(isRecord).filter((d) => d['offline'] !== true);
