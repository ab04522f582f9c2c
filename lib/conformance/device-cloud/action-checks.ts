/**
 * POST /devices/{id}/actions: every action of every valid, online device (loopback, or --execute), each answer's
 * state checked against the action and against the next GET /devices; then the device put back as it was. And
 * 404 for a device the user does not have.
 */
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { IDEMPOTENCY_KEY_HEADER } from '../../../functions/adapters/device-cloud/http-cloud.ts';
import { isRecord } from '../../../functions/domain/json.ts';
import { DeviceSchema, isNumericProperty, NUMERIC_RANGES, StateSchema } from '../../../functions/domain/protocol/device.ts';
import { describeIssue } from '../../../functions/domain/protocol/validation.ts';
import { numValue, putBackAction } from '../device-rules.ts';
import type { Answer } from '../driver-client.ts';
import { authHeaders, type CloudContext, call, devicesOf, statusOf } from './context.ts';

interface Action {
  property: string;
  name: string;
  value?: number;
}

/** A scene triggered or media played cannot be put back, so no run sends them. */
const NOT_SENT = new Set(['ping', 'media_control']);

const actionsPath = (deviceId: string) => `/devices/${encodeURIComponent(deviceId)}/actions`;

/** An action as the driver sends it: each with an Idempotency-Key of its own. */
const act = (context: CloudContext, deviceId: string, action: Action, where = `${deviceId} ${action.property}.${action.name}`) =>
  call(
    context,
    where,
    actionsPath(deviceId),
    { ...authHeaders(context.options.credentials), [IDEMPOTENCY_KEY_HEADER]: randomUUID() },
    { method: 'POST', body: action },
  );

export async function checkUnknownDevice(context: CloudContext): Promise<void> {
  const answer = await act(context, `conformance-no-such-device-${Date.now()}`, { property: 'switch', name: 'on' }, 'an unknown device');
  const name = isRecord(answer.json) ? answer.json['errorName'] : undefined;
  const problems =
    answer.status !== 404
      ? [`${statusOf(answer)}, not 404`]
      : name !== undefined && name !== 'E_DRIVER_DEVICE_NO_FOUND'
        ? [`404 with errorName ${JSON.stringify(name)}: the driver passes it on instead of E_DRIVER_DEVICE_NO_FOUND`]
        : [];
  context.results.expect('actions.unknown-device', 'an action on a device the user does not have answers 404', problems);
}

/** What is wrong with the state an action left, given the state before it (empty when it is right). */
export function resultProblems(action: Action, before: unknown, after: unknown): string[] {
  const { property, name, value } = action;
  const got = JSON.stringify(after);
  if (after === undefined || after === null) return [`state.${property} is missing from the answer`];
  // switch, mode, swing_mode: the state is the action's name.
  if (!isNumericProperty(property)) return after === name ? [] : [`state.${property} is ${got}, not "${name}"`];
  if (typeof after !== 'number') return [`state.${property} is ${got}, not a number`];
  const range = NUMERIC_RANGES[property];
  const from = typeof before === 'number' ? before : undefined;
  switch (name) {
    case 'num':
      return after === value ? [] : [`state.${property} is ${got}, not ${value}`];
    case 'max':
    case 'min': {
      const end = name === 'max' ? range.max : range.min;
      return after === end ? [] : [`state.${property} is ${got}, not ${end}, the range's ${name === 'max' ? 'top' : 'bottom'}`];
    }
    case 'up':
      return from === undefined || after > from || (after === from && from === range.max)
        ? []
        : [`state.${property} went from ${from} to ${got}: not up`];
    case 'down':
      return from === undefined || after < from || (after === from && from === range.min)
        ? []
        : [`state.${property} went from ${from} to ${got}: not down`];
    default:
      // random, next/prev, fanspeed's switch: any value the range allows, which the state's schema checks.
      return [];
  }
}

export async function checkActions(context: CloudContext, devices: unknown[]): Promise<void> {
  const { results } = context;
  for (const raw of devices) {
    const parsed = v.safeParse(DeviceSchema, raw);
    if (!parsed.success) continue; // its own check has said why; the driver never sends it an action
    const device = parsed.output;
    const id = `actions.${device.deviceId}`;
    const title = `the actions of ${device.deviceId}`;
    if (device.offline) {
      results.skip(id, title, 'the device is offline');
      continue;
    }
    if (!context.execute) {
      results.skip(id, title, 'read-only: give --execute to send actions (the default on loopback only)');
      continue;
    }
    let state: Record<string, unknown> = { ...device.state };
    for (const [property, names] of Object.entries(device.actions)) {
      for (const name of names ?? []) {
        const check = `${id}.${property}.${name}`;
        if (NOT_SENT.has(property)) {
          results.skip(check, `${device.deviceId}: ${property} ${name}`, 'not sent: what it does cannot be undone');
          continue;
        }
        const value = name === 'num' ? numValue(property, state[property]) : undefined;
        const action: Action = { property, name, ...(value === undefined ? {} : { value }) };
        const answer = await act(context, device.deviceId, action);
        const problems = answerProblems(answer);
        const answered = isRecord(answer.json) && isRecord(answer.json['state']) ? answer.json['state'] : undefined;
        if (problems.length === 0 && answered) {
          problems.push(...resultProblems(action, state[property], answered[property]));
          const listed = (await listedDevice(context, device.deviceId))?.['state'];
          const kept = isRecord(listed) ? listed[property] : undefined;
          if (kept !== answered[property])
            problems.push(
              `the next GET /devices shows state.${property} ${JSON.stringify(kept)}, not ${JSON.stringify(answered[property])}`,
            );
          state = { ...state, ...answered };
        }
        results.expect(check, `${device.deviceId}: ${property} ${name}`, problems);
      }
    }
    await putBack(context, device.deviceId, device.state, device.actions);
  }
}

/** A 200 `{"state": {...}}` whose state the protocol allows. */
function answerProblems(answer: Answer): string[] {
  if (answer.status !== 200)
    return [
      `${statusOf(answer)}${isRecord(answer.json) && typeof answer.json['message'] === 'string' ? `: ${answer.json['message']}` : ''}`,
    ];
  const state = isRecord(answer.json) ? answer.json['state'] : undefined;
  if (!isRecord(state)) return ['the answer is not {"state": {...}}'];
  const result = v.safeParse(StateSchema, state);
  return result.success ? [] : result.issues.map((issue) => describeIssue(issue, { prefix: 'state' }));
}

async function listedDevice(context: CloudContext, deviceId: string): Promise<Record<string, unknown> | undefined> {
  const answer = await call(context, 'GET /devices', '/devices', authHeaders(context.options.credentials), { method: 'GET' });
  return devicesOf(answer)
    ?.filter(isRecord)
    .find((d) => d['deviceId'] === deviceId);
}

/** Each value the device had, set again with the action that sets it, then read back. */
async function putBack(
  context: CloudContext,
  deviceId: string,
  before: Record<string, unknown>,
  actions: Record<string, readonly string[] | undefined>,
) {
  const problems: string[] = [];
  const restored: Record<string, unknown> = {};
  for (const [property, value] of Object.entries(before)) {
    const names: readonly string[] = actions[property] ?? [];
    const action = putBackAction(property, value, names);
    if (!action) continue;
    restored[property] = value;
    problems.push(
      ...answerProblems(await act(context, deviceId, action, `${deviceId} put back ${property}`)).map((p) => `${property}: ${p}`),
    );
  }
  const listed = (await listedDevice(context, deviceId))?.['state'];
  const now = isRecord(listed) ? listed : {};
  for (const [property, value] of Object.entries(restored)) {
    if (now[property] !== value)
      problems.push(`state.${property} is ${JSON.stringify(now[property])} after, not ${JSON.stringify(value)} as before`);
  }
  const title = `${deviceId} is put back as it was`;
  // A value the device had none of before (a scene's switch) cannot be taken away: no action removes one. Said, not claimed.
  const gained = Object.keys(now).filter((property) => now[property] != null && before[property] == null);
  if (problems.length === 0 && gained.length > 0) {
    const values = gained.map((property) => `${property}: ${JSON.stringify(now[property])}`).join(', ');
    context.results.skip(
      `actions.${deviceId}.put-back`,
      title,
      `cannot be put back as it was: it had no ${gained.join(', ')} before the run and now has ${values}, and no action removes a value`,
    );
    return;
  }
  context.results.expect(`actions.${deviceId}.put-back`, title, problems);
}
