/** v1 devices as v2 endpoints for Discover, and additionalInfo's rules with the deviceInfo that breaks them. */
import { describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import type { Device } from '../../functions/domain/protocol/device.ts';
import { additionalInfoOf, deviceInfoOf, ENCODED_DEVICE_INFO, endpointOf } from '../../functions/domain/v2/endpoints.ts';

const SAMPLED = new Date('2026-12-04T00:00:00.000Z');
const device = (overrides: Partial<Device>): Device => ({ ...demoHome('ep-user')[0]!, ...overrides });

describe('endpoints', () => {
  it('maps the fields of a device: type, name, room and home hints, offline, capabilities and sampled states', () => {
    const light = demoHome('ep-user').find((d) => d.type === 'light')!;
    const mapped = endpointOf(
      { ...light, roomName: '客厅', homeName: '我的家', deviceInfo: { mac: 'aa:bb', port: 2 } },
      { sampledAt: SAMPLED },
    );
    expect(mapped).toEqual({
      endpoint: expect.objectContaining({
        endpointId: light.deviceId,
        displayType: 'light',
        displayName: light.name,
        recommendRoomName: '客厅',
        recommendHomeName: '我的家',
        offline: false,
        additionalInfo: { mac: 'aa:bb', port: 2 },
      }),
    });
    const { endpoint } = mapped as { endpoint: { capabilities: readonly unknown[]; states: { timeOfSample: string }[] } };
    expect(endpoint.capabilities.length).toBeGreaterThan(0);
    expect(endpoint.states.every((s) => s.timeOfSample === '2026-12-04T00:00:00.000Z')).toBe(true);
  });

  it('sends tvBox as box, leaves out the hints it does not have, and passes offline on', () => {
    const mapped = endpointOf(device({ type: 'tvBox', offline: true, roomName: undefined, homeName: undefined }), { sampledAt: SAMPLED });
    const { endpoint } = mapped as unknown as { endpoint: Record<string, unknown> };
    expect(endpoint).toMatchObject({ displayType: 'box', offline: true, additionalInfo: {} });
    expect(endpoint).not.toHaveProperty('recommendRoomName');
    expect(endpoint).not.toHaveProperty('recommendHomeName');
  });

  it.each([
    ['a nested object', { room: { id: 1 } }],
    ['a key with a dot', { 'a.b': 'x' }],
    ['null', { gone: null }],
    ['a string of 1,000 characters', { note: 'n'.repeat(1000) }],
    ['101 keys', Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))],
    ['its own encoding key', { [ENCODED_DEVICE_INFO]: 'x' }],
  ])('encodes a deviceInfo with %s in pieces that keep the rules, and decodes it back as it was', (_case, deviceInfo) => {
    const info = additionalInfoOf(deviceInfo)!;
    expect(Object.keys(info)[0]).toBe(ENCODED_DEVICE_INFO);
    expect(Object.keys(info).length).toBeLessThanOrEqual(100);
    for (const [key, value] of Object.entries(info)) {
      expect(key).not.toContain('.');
      expect(String(value).length).toBeLessThanOrEqual(999);
    }
    expect(deviceInfoOf(info)).toEqual(deviceInfo);
  });

  it('passes a deviceInfo that keeps the rules as it is, and reads it back as it is', () => {
    const info = { mac: 'aa', channel: 3, on: true };
    expect(additionalInfoOf(info)).toBe(info);
    expect(deviceInfoOf(info)).toEqual(info);
    expect(deviceInfoOf({})).toBeUndefined();
    expect(deviceInfoOf('nonsense')).toBeUndefined();
    expect(deviceInfoOf({ [ENCODED_DEVICE_INFO]: 'not base64 json' })).toBeUndefined();
  });

  it('leaves out a device whose deviceInfo is too large even in 100 pieces, saying why', () => {
    expect(endpointOf(device({ deviceInfo: { blob: 'x'.repeat(80_000) } }), { sampledAt: SAMPLED })).toEqual({
      omitted: 'its deviceInfo is over 99900 characters even encoded',
    });
  });
});
