/**
 * v2 Controls at most once off the happy path, through the real handlers: concurrent Adjusts that all count, a
 * lost answer that never lets a resend act twice, failures that changed nothing given back, and DynamoDB writes
 * whose answers were lost (the SDK retried them) recognised as the writer's own. Faults are injected at the HTTP
 * level (test/support/dynamodb-faults.ts, a scripted device cloud), and what the device did is counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { type DynamoFaults, firstCalls, startDynamoFaults } from '../support/dynamodb-faults.ts';
import { startHandlers, type V2Answer } from '../support/handlers.ts';
import { captureOutput } from '../support/output.ts';
import { type ScriptedServer, type SeenRequest, startScriptedServer } from '../support/scripted-server.ts';
import { bearer, control, jwt } from '../support/v2.ts';

const JWT = { ROKID_JWT_APP_ID: 'app-1', ROKID_JWT_APP_SECRET: 'jwt-secret-1' };
/** Past the claim's lease: the invocation's 2.6 s budget, rounded up to whole seconds, and one more. */
const LEASE_PASSED_MS = 5_000;
const brightnessOf = (answer: V2Answer) => answer.endpoint?.states.find((s) => s.interface === 'Brightness')?.value;

/** Runs `work` with stdout/stderr captured, and answers what it returned with the driver's log lines. */
async function logged<T>(work: () => Promise<T>): Promise<{ result: T; lines: Record<string, any>[] }> {
  const output = captureOutput();
  try {
    const result = await work();
    return { result, lines: output.entries() };
  } finally {
    output.restore();
  }
}

describe('on the virtual cloud, with DynamoDB faults', () => {
  let faults: DynamoFaults;
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  let token: ReturnType<typeof bearer>;
  let light: string;
  const brightness = async () =>
    ((await driver.call('get', JSON.stringify({ device: { deviceId: light }, userAuth: auth }))).data as { state: { brightness: number } })
      .state.brightness;
  let auth: { userId: string; userToken: string };
  const setTo = async (value: number) => {
    faults.rule = () => 'pass';
    await driver.v2(control(token, light, 'Brightness.Set', { value }));
  };

  beforeAll(async () => {
    faults = await startDynamoFaults();
    driver = await startHandlers(JWT, { AWS_ENDPOINT_URL_DYNAMODB: faults.url, POWERTOOLS_METRICS_DISABLED: 'false' });
    faults.target = driver.table.endpoint;
    auth = (await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } })))
      .data as typeof auth;
    token = bearer(auth.userToken);
    light = demoHome(auth.userId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;
  }, 30_000);
  afterAll(async () => {
    await driver.close();
    await faults.close();
  });

  it('30 concurrent Brightness.Adjust +1: each answered Response moved the light by one, a busy one by none', {
    timeout: 60_000,
  }, async () => {
    await setTo(10);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => driver.v2(control(token, light, 'Brightness.Adjust', { delta: 1 }, `adjust-${i}`))),
    );
    const count = (name: string) => answers.filter((a) => (a.header.name === 'Response' ? 'Response' : a.payload.name) === name).length;
    const [responses, busy, late] = [count('Response'), count('E_ENDPOINT_BUSY'), count('E_ENDPOINT_UNREACHABLE')];
    // On a loaded machine some miss the 3 s budget: those may or may not have acted, and their work may still run.
    expect(responses + busy + late).toBe(30);
    expect(responses).toBeGreaterThan(0);
    await sleep(late > 0 ? 3_000 : 0);
    const moved = (await brightness()) - 10;
    expect(moved).toBeGreaterThanOrEqual(responses);
    expect(moved).toBeLessThanOrEqual(responses + late);
  });

  it('the claim’s put applied and its answer lost: the SDK’s retry is known as its own, and the Control acts once', async () => {
    await setTo(20);
    faults.rule = firstCalls((call) => call.operation === 'PutItem' && call.body.includes('"in_progress"'), 'lose-answer');
    const answer = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 5 }, 'lost-claim'));
    expect(faults.injected).toContainEqual({ operation: 'PutItem', fault: 'lose-answer' });
    expect(answer.header.name).toBe('Response');
    expect(brightnessOf(answer)).toBe(25);
    expect(await brightness()).toBe(25);
  });

  it('the device write applied and its answer lost: the virtual cloud knows its write, and applies it once', async () => {
    await setTo(30);
    faults.rule = firstCalls((call) => call.operation === 'UpdateItem' && call.body.includes('#version'), 'lose-answer');
    const answer = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 5 }, 'lost-write'));
    expect(answer.header.name).toBe('Response');
    expect(await brightness()).toBe(35);
    // v1's relative step too, through the same write.
    faults.rule = firstCalls((call) => call.operation === 'UpdateItem' && call.body.includes('#version'), 'lose-answer');
    const action = { property: 'brightness', name: 'up', value: 5 };
    const v1 = await driver.call('execute', JSON.stringify({ device: { deviceId: light, userAuth: auth }, action }));
    expect(v1).toMatchObject({ status: 0, data: { brightness: 40 } });
    expect(await brightness()).toBe(40);
  });

  it('the answer cannot be kept: the device acted once; a resend is busy while the first may still answer, then gets the current state, logged unconfirmed and counted', {
    timeout: 30_000,
  }, async () => {
    await setTo(50);
    faults.rule = (call) => (call.operation === 'UpdateItem' && call.body.includes('":answered"') ? 'fail' : 'pass');
    const first = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 10 }, 'unkept-1'));
    expect(brightnessOf(first)).toBe(60);
    const early = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 10 }, 'unkept-1'));
    expect(early.payload).toMatchObject({ name: 'E_ENDPOINT_BUSY' });
    await sleep(LEASE_PASSED_MS);
    const { result: late, lines } = await logged(() => driver.v2(control(token, light, 'Brightness.Adjust', { delta: 10 }, 'unkept-1')));
    expect(late.header).toMatchObject({ name: 'Response', messageId: 'unkept-1' });
    expect(brightnessOf(late)).toBe(60);
    expect(await brightness()).toBe(60);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'v2 answer unconfirmed',
        messageId: 'unkept-1',
        directive: 'Rokid.Control/Brightness.Adjust',
        endpointId: light,
      }),
    );
    expect(lines.filter((line) => line['_aws'] && 'v2_unconfirmed_answers' in line)).toHaveLength(1);
  });

  it('an unexpected failure after the device was asked keeps the message from acting again', { timeout: 30_000 }, async () => {
    await setTo(70);
    // Every attempt of the device write fails after the first is applied: the SDK gives up with a 500.
    faults.rule = firstCalls((call) => call.operation === 'UpdateItem' && call.body.includes('#version'), 'lose-answer', 3);
    const first = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 3 }, 'unexpected-1'));
    expect(first.payload).toMatchObject({ name: 'E_INTERNAL_ERROR' });
    expect(await brightness()).toBe(73);
    await sleep(LEASE_PASSED_MS);
    const again = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 3 }, 'unexpected-1'));
    expect(again.header.name).toBe('Response');
    expect(await brightness()).toBe(73);
  });

  it('a failure before the device was asked gives the message back: a resend acts', async () => {
    await setTo(80);
    // The device read fails: nothing was asked.
    faults.rule = firstCalls((call) => call.operation === 'GetItem' && call.body.includes('"sk"') && call.body.includes('vd'), 'fail', 3);
    const first = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 2 }, 'before-1'));
    expect(first.header.name).toBe('ErrorResponse');
    expect(await brightness()).toBe(80);
    const again = await driver.v2(control(token, light, 'Brightness.Adjust', { delta: 2 }, 'before-1'));
    expect(brightnessOf(again)).toBe(82);
  });
});

describe('on an http device cloud', () => {
  let cloud: ScriptedServer;
  let driver: Awaited<ReturnType<typeof startHandlers>>;
  /** One light, applied atomically as a real cloud would: each action on the state as it is when it arrives. */
  let level = 0;
  let next: ((request: SeenRequest) => 'hang' | { status: number; json: unknown } | undefined) | undefined;
  const user = jwt('cloud-user', 'app-1', 'jwt-secret-1');
  const actions = () => cloud.requests.filter((r) => r.method === 'POST');
  const lamp = () => ({
    deviceId: 'lamp-1',
    name: '台灯',
    type: 'light',
    actions: { switch: ['on', 'off'], brightness: ['num', 'up', 'down'] },
    state: { switch: 'on', brightness: level },
  });

  beforeAll(async () => {
    cloud = await startScriptedServer((request) => {
      const scripted = next?.(request);
      if (scripted) return scripted;
      if (request.method === 'GET') return { json: { devices: [lamp()] } };
      const action = JSON.parse(request.body) as { name: string; value?: number };
      const step = action.value ?? 10;
      level = Math.min(
        100,
        Math.max(0, action.name === 'up' ? level + step : action.name === 'down' ? level - step : (action.value ?? level)),
      );
      return { json: { state: lamp().state } };
    });
    driver = await startHandlers({
      ...JWT,
      DEVICE_CLOUD: 'http',
      DEVICE_CLOUD_URL: cloud.url,
      DEVICE_CLOUD_SERVICE_TOKEN: 'svc',
      DEVICE_CLOUD_TIMEOUT_MS: '20000',
    });
  });
  afterAll(async () => {
    await driver.close();
    await cloud.close();
  });

  it('30 concurrent Adjust +1 are 30 steps the cloud applies atomically: the light moves by exactly 30', async () => {
    level = 0;
    next = undefined;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 1 }, `c-adjust-${i}`))),
    );
    expect(answers.map((a) => a.header.name)).toEqual(Array(30).fill('Response'));
    expect(level).toBe(30);
    const sent = actions().slice(-30);
    expect(sent.map((r) => JSON.parse(r.body))).toEqual(Array(30).fill({ property: 'brightness', name: 'up', value: 1 }));
    // Each message its own key, the same for every send of it: the cloud may use it to apply a retry once.
    expect(new Set(sent.map((r) => r.headers['idempotency-key'])).size).toBe(30);
    for (const request of sent) expect(request.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('an error status changed nothing: the message is given back, and a resend tries again', async () => {
    level = 40;
    next = (request) => (request.method === 'POST' ? { status: 503, json: {} } : undefined);
    const first = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 5 }, 'c-503'));
    expect(first.payload).toMatchObject({
      name: 'E_SERVER_UNREACHABLE',
      message: 'The device cloud failed (HTTP 503). Try again shortly.',
    });
    next = undefined;
    const again = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 5 }, 'c-503'));
    expect(brightnessOf(again)).toBe(45);
    expect(actions().filter((r) => r.headers['idempotency-key'] === actions().at(-1)!.headers['idempotency-key'])).toHaveLength(2);
  });

  it('a cloud that took the action and never answered: no resend sends it again; after the first’s lease, the current state', {
    timeout: 30_000,
  }, async () => {
    level = 60;
    next = (request) => {
      if (request.method !== 'POST') return undefined;
      level += 7;
      return 'hang';
    };
    const before = actions().length;
    const first = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 7 }, 'c-hang'));
    expect(first.payload).toMatchObject({ name: 'E_ENDPOINT_UNREACHABLE' });
    next = undefined;
    await sleep(LEASE_PASSED_MS);
    const again = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 7 }, 'c-hang'));
    expect(again.header.name).toBe('Response');
    expect(brightnessOf(again)).toBe(67);
    expect(actions().length - before).toBe(1);
  });

  it('a resend after such a delivery, when the state cannot be read either, is told the outcome is unknown, never that nothing was done', {
    timeout: 30_000,
  }, async () => {
    level = 10;
    next = (request) => {
      if (request.method !== 'POST') return undefined;
      level += 4;
      return 'hang';
    };
    const first = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 4 }, 'c-hang-2'));
    expect(first.payload).toMatchObject({ name: 'E_ENDPOINT_UNREACHABLE' });
    next = () => ({ status: 500, json: {} });
    await sleep(LEASE_PASSED_MS);
    const again = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 4 }, 'c-hang-2'));
    next = undefined;
    expect(again.payload).toEqual({
      name: 'E_ENDPOINT_UNREACHABLE',
      vendorCode: 'OUTCOME_UNKNOWN',
      message:
        'An earlier delivery of message c-hang-2 asked the device, and whether it acted is not known; its state cannot be read now either. Ask for its state in a moment.',
      debugInfo: '',
    });
    expect(level).toBe(14);
  });

  it('a definite refusal is the message’s answer: resent, it is given again without asking the cloud', async () => {
    next = (request) =>
      request.method === 'POST' ? { status: 400, json: { errorName: 'E_VALUE_OUT_OF_RANGE', message: 'too bright' } } : undefined;
    const first = await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 1 }, 'c-range'));
    const before = actions().length;
    next = undefined;
    expect(await driver.v2(control(user, 'lamp-1', 'Brightness.Adjust', { delta: 1 }, 'c-range'))).toEqual(first);
    expect(first.payload).toMatchObject({ name: 'E_VALUE_OUT_OF_RANGE', message: 'too bright' });
    expect(actions().length).toBe(before);
  });

  it('the cloud refusing the driver’s service token is the driver’s misconfiguration (E_INTERNAL_ERROR), never the user’s authorization', async () => {
    next = () => ({ status: 401, json: {} });
    const answer = await driver.v2(control(user, 'lamp-1', 'Switch.On', {}, 'c-401'));
    next = undefined;
    expect(answer.payload).toEqual({
      name: 'E_INTERNAL_ERROR',
      vendorCode: 'SERVICE_TOKEN_REFUSED',
      message:
        "The device cloud refused the driver's service token (HTTP 401): its operators must check DEVICE_CLOUD_SERVICE_TOKEN against the device cloud's.",
      debugInfo: 'v1 E_DRIVER_ERROR',
    });
  });
});
