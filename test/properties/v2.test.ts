/**
 * Whatever arrives at /v2, Rokid gets a well-formed v2 message; and whatever sequence of Controls the two
 * protocols send, v1 and v2 agree on every device's state, since they share one domain.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { V2_ERROR_NAMES } from '../../functions/domain/v2/errors.ts';
import { statesOf } from '../../functions/domain/v2/states.ts';
import { startHandlers, type V2Answer } from '../support/handlers.ts';
import { bearer, control, reportState, v2Message } from '../support/v2.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
let userAuth: { userId: string; userToken: string };
beforeAll(async () => {
  driver = await startHandlers({ ROKID_JWT_APP_ID: 'app-1', ROKID_JWT_APP_SECRET: 'jwt-secret-1' });
  userAuth = (await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } })))
    .data as typeof userAuth;
}, 30_000);
afterAll(() => driver.close());

function expectWellFormed(answer: V2Answer): void {
  expect(answer.header.payloadVersion).toBe('v1');
  expect(answer.header.namespace).toBe('Rokid');
  expect(typeof answer.header.messageId).toBe('string');
  expect(answer.header).not.toHaveProperty('authorization');
  if (answer.header.name !== 'ErrorResponse') {
    expect(['DiscoveryResponse', 'Response']).toContain(answer.header.name);
    return;
  }
  expect(V2_ERROR_NAMES).toContain(answer.payload.name);
  for (const field of ['vendorCode', 'message', 'debugInfo']) expect(typeof answer.payload[field]).toBe('string');
  expect(answer.payload.message).not.toMatch(/\n\s+at /); // never a stack trace
}

describe('any message at /v2', () => {
  const token = () => fc.oneof(fc.constant(userAuth.userToken), fc.string());
  const messageShaped = fc.record(
    {
      header: fc.oneof(
        fc.record(
          {
            messageId: fc.oneof(fc.uuid(), fc.string(), fc.jsonValue()),
            namespace: fc.oneof(fc.constantFrom('Rokid.Discovery', 'Rokid.Control', 'Rokid.Query', 'Rokid.Authorization'), fc.string()),
            name: fc.oneof(fc.constantFrom('Discover', 'ReportState', 'Switch.On', 'Brightness.Set', 'Media.TVChannel.Set'), fc.string()),
            payloadVersion: fc.constantFrom('v1', '1'),
            authorization: fc.oneof(
              fc.record({ type: fc.constantFrom('BearerToken', 'JWT', 'Bearer'), token: fc.constant(null).chain(token) }),
              fc.jsonValue(),
            ),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      endpoint: fc.oneof(
        fc.record({ endpointId: fc.oneof(fc.string(), fc.constant(demoHome('demo')[0]!.deviceId)), additionalInfo: fc.jsonValue() }),
        fc.jsonValue(),
      ),
      payload: fc.oneof(fc.record({ value: fc.jsonValue(), delta: fc.jsonValue(), tvChannel: fc.jsonValue() }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  );

  it('gets HTTP 200 and a Response, a DiscoveryResponse or a complete ErrorResponse', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(messageShaped, fc.jsonValue(), fc.string()), async (body) => {
        expectWellFormed(await driver.v2(typeof body === 'string' ? body : JSON.stringify(body)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('any sequence of Controls, through v1 and v2', () => {
  const light = () => demoHome(userAuth.userId).find((d) => d.deviceId.endsWith('white-light'))!.deviceId;
  const v2Step = fc.oneof(
    fc
      .constantFrom('Switch.On', 'Switch.Off', 'Brightness.SetMax', 'Brightness.SetMin', 'ColorTemperature.SetMax')
      .map((name) => ({ name, payload: {} })),
    fc.integer({ min: -20, max: 120 }).map((value) => ({ name: 'Brightness.Set', payload: { value } })),
    fc.integer({ min: -150, max: 150 }).map((delta) => ({ name: 'ColorTemperature.Adjust', payload: { delta } })),
  );
  const v1Step = fc.oneof(
    fc.constantFrom('on', 'off').map((name) => ({ property: 'switch', name })),
    fc.integer({ min: 0, max: 100 }).map((value) => ({ property: 'brightness', name: 'num', value })),
    fc.integer({ min: 0, max: 30 }).map((value) => ({ property: 'color_temperature', name: 'up', value })),
  );
  const step = fc.oneof(
    v2Step.map((v2) => ({ v2 })),
    v1Step.map((v1) => ({ v1 })),
  );

  it('leaves v1’s /get and v2’s ReportState agreeing, and every v2 answer in range', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        for (const s of steps) {
          if ('v2' in s) {
            const answer = await driver.v2(control(bearer(userAuth.userToken), light(), s.v2.name, s.v2.payload));
            expectWellFormed(answer);
            for (const state of answer.endpoint?.states ?? []) {
              if (typeof state.value === 'number') expect(state.value).toBeGreaterThanOrEqual(0);
              if (typeof state.value === 'number') expect(state.value).toBeLessThanOrEqual(100);
            }
          } else {
            await driver.call('execute', JSON.stringify({ device: { deviceId: light(), userAuth }, action: s.v1 }));
          }
        }
        const v1 = (await driver.call('get', JSON.stringify({ device: { deviceId: light() }, userAuth }))).data as {
          state: Record<string, unknown>;
        };
        const v2 = await driver.v2(reportState(bearer(userAuth.userToken), light()));
        const strip = (states: { interface: string; value: unknown }[]) => states.map(({ interface: name, value }) => ({ name, value }));
        expect(strip(v2.endpoint!.states)).toEqual(strip(statesOf(v1.state as never, new Date())));
      }),
      { numRuns: 25 },
    );
  });

  it('a Control of an unknown namespace or name is never acted on', async () => {
    const before = await driver.v2(reportState(bearer(userAuth.userToken), light()));
    const answer = await driver.v2(
      v2Message('Rokid.Controls', 'Switch.On', bearer(userAuth.userToken), { endpoint: { endpointId: light() } }),
    );
    expect(answer.payload.name).toBe('E_NOT_SUPPORTED_DIRECTIVE');
    const after = await driver.v2(reportState(bearer(userAuth.userToken), light()));
    expect(after.endpoint!.states.map((s) => s.value)).toEqual(before.endpoint!.states.map((s) => s.value));
  });
});
