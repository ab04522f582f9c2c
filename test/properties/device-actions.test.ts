/**
 * Any action a demo device lists, with any value at all, is either refused with an error envelope or
 * leaves a state the device model accepts: no action may break a device for later requests.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Device, DeviceSchema } from '../../functions/domain/protocol/device.ts';
import { startHandlers } from '../support/handlers.ts';

let driver: Awaited<ReturnType<typeof startHandlers>>;
let userAuth: { userId: string; userToken: string };
let home: Device[];
beforeAll(async () => {
  driver = await startHandlers();
  const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
  userAuth = login.data as typeof userAuth;
  home = (await driver.call('list', JSON.stringify({ userAuth }))).data as Device[];
});
afterAll(() => driver.close());

/** A device of the demo home and one of the actions it lists. */
const anyListedAction = () =>
  fc.constantFrom(...home).chain((device) => {
    const listed = Object.entries(device.actions).flatMap(([property, names]) => (names ?? []).map((name) => ({ property, name })));
    return fc.record({ deviceId: fc.constant(device.deviceId), action: fc.constantFrom(...listed) });
  });
/** A value of any kind, including the ones Homebase should never send. */ const anyValue = fc.option(
  fc.oneof(
    fc.double(),
    fc.integer({ min: -1_000_000, max: 20_000_000 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom(0.5, 1.5, 99.99, 5e-324, -0),
    fc.string(),
    fc.integer().map(String),
    fc.boolean(),
    fc.jsonValue(),
  ),
  { nil: undefined },
);

// Hundreds of requests through the embedded DynamoDB: a bound on time, not a measure of speed.
it('either refuses the action with an envelope or leaves every device valid and listed', { timeout: 60_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(anyListedAction(), anyValue, async ({ deviceId, action }, value) => {
      const answer = await driver.call('execute', JSON.stringify({ device: { deviceId, userAuth }, action: { ...action, value } }));
      if (answer.status !== 0) {
        expect(answer.errorName).toMatch(/^E_/);
        // A refusal names what was wrong; "failed unexpectedly" would be a crash wearing an envelope.
        expect(answer.message).not.toContain('failed unexpectedly');
      }
      const listed = await driver.call('list', JSON.stringify({ userAuth }));
      expect(listed.status).toBe(0);
      const devices = listed.data as unknown[];
      expect(devices).toHaveLength(home.length);
      for (const device of devices) expect(v.safeParse(DeviceSchema, device).success).toBe(true);
    }),
    {
      numRuns: 300,
      // Found before: a fractional step on a whole-number channel broke the TV for good.
      examples: [[{ deviceId: home.find((d) => d.type === 'tv')!.deviceId, action: { property: 'channel', name: 'next' } }, 0.5]],
    },
  );
});
