/**
 * What Rokid's own client, rhome v1.2.0, checks of a device in a /list answer (its jsonschema
 * device.json / state.json, as summarised in shared/docs/homebase-protocol.md §2-3). rhome's type
 * enum is narrower than the docs, so a device the driver returns by default should pass it too.
 */
import { expect } from 'vitest';
import { RHOME_TYPES } from '../../lib/conformance/device-rules.ts';

const PERCENT_STATES = ['brightness', 'position', 'fanspeed', 'volume', 'humidity', 'temperature'];

export function expectRhomeAccepts(device: Record<string, unknown>): void {
  for (const key of ['deviceId', 'name', 'type', 'actions', 'state']) expect(device, `device needs ${key}`).toHaveProperty(key);
  expect([...RHOME_TYPES]).toContain(device['type']);
  const actions = device['actions'] as Record<string, unknown>;
  for (const names of Object.values(actions)) expect(Array.isArray(names)).toBe(true);
  const state = device['state'] as Record<string, unknown>;
  expect(typeof state).toBe('object');
  if ('switch' in state) expect(['on', 'off', null]).toContain(state['switch']);
  if ('mode' in state) expect(typeof state['mode']).toBe('string'); // rhome's mode enum has no null
  if ('color' in state) expect(state['color']).toBeGreaterThanOrEqual(0);
  for (const key of PERCENT_STATES) {
    if (key in state) {
      expect(state[key]).toBeGreaterThanOrEqual(0);
      expect(state[key]).toBeLessThanOrEqual(100);
    }
  }
}
