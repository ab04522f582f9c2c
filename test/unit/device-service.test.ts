import { describe, expect, it } from 'vitest';
import { DeviceService } from '../../functions/domain/devices/device-service.ts';
import type { DeviceCloud } from '../../functions/domain/ports.ts';

const session = { vendorUserId: 'u1', credentials: async () => ({ accessToken: 'access' }) };
const lamp = {
  deviceId: 'lamp',
  name: 'Lamp',
  type: 'light',
  actions: { switch: ['on', 'off'] },
  state: { switch: 'off' },
};

/** A device cloud that answers with whatever the test gives it, to exercise the driver's checks. */
function cloud(devices: unknown[], executeAnswer: unknown = { switch: 'on' }): DeviceCloud & { executed: unknown[] } {
  const executed: unknown[] = [];
  return {
    executed,
    list: async () => devices,
    get: async (_s, id) => devices.find((d) => (d as { deviceId?: string }).deviceId === id),
    execute: async (_s, _id, action) => {
      executed.push(action);
      return executeAnswer;
    },
  };
}

function logCapture() {
  const warnings: Array<{ message: string; details: Record<string, unknown> }> = [];
  return {
    warnings,
    warn: (message: string, details: Record<string, unknown>) => void warnings.push({ message, details }),
    info: () => {},
  };
}

describe('device service', () => {
  it('leaves a malformed device out of /list and logs why, without the payload', async () => {
    const log = logCapture();
    const broken = { ...lamp, deviceId: 'broken', type: 'toaster', deviceInfo: { secret: 'k' } };
    const devices = await new DeviceService({ cloud: cloud([lamp, broken]), log }).list(session);
    expect(devices.map((d) => d.deviceId)).toEqual(['lamp']);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]!.details).toEqual({
      deviceId: 'broken',
      problems: [
        'type "toaster" is not a Homebase type (light, switch, socket, irController, curtain, …; docs/device-cloud.md lists all 41)',
      ],
    });
    expect(JSON.stringify(log.warnings)).not.toContain('secret');
  });

  it('answers /get with the device, and E_DRIVER_DEVICE_NO_FOUND for an unknown id', async () => {
    const service = new DeviceService({ cloud: cloud([lamp]), log: logCapture() });
    await expect(service.get(session, 'lamp')).resolves.toMatchObject({ deviceId: 'lamp' });
    await expect(service.get(session, 'ghost')).rejects.toMatchObject({
      errorName: 'E_DRIVER_DEVICE_NO_FOUND',
      message: expect.stringContaining('"ghost" was not found'),
    });
  });

  it('refuses a malformed device on /get with E_DRIVER_ERROR, naming the first bad field and the rule', async () => {
    const service = new DeviceService({ cloud: cloud([{ ...lamp, actions: { switch: ['toggle'] } }]), log: logCapture() });
    await expect(service.get(session, 'lamp')).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
      message: 'Device "lamp" is malformed in the device cloud: actions.switch.0: expected "on" | "off" | "stop"',
    });
  });

  it('quotes a wrong type only when it is a string, and at most 40 characters of it', async () => {
    const service = new DeviceService({
      cloud: cloud([
        { ...lamp, type: 7 },
        { ...lamp, deviceId: 'long', type: 'x'.repeat(100) },
      ]),
      log: logCapture(),
    });
    const tail = 'is not a Homebase type (light, switch, socket, irController, curtain, …; docs/device-cloud.md lists all 41)';
    await expect(service.get(session, 'lamp')).rejects.toMatchObject({
      message: `Device "lamp" is malformed in the device cloud: type ${tail}`,
    });
    await expect(service.get(session, 'long')).rejects.toMatchObject({
      message: `Device "long" is malformed in the device cloud: type "${'x'.repeat(40)}" ${tail}`,
    });
  });

  it('executes a declared action and answers the new state', async () => {
    const devices = cloud([lamp]);
    const state = await new DeviceService({ cloud: devices, log: logCapture() }).execute(session, 'lamp', {
      property: 'switch',
      name: 'on',
    });
    expect(state).toEqual({ switch: 'on' });
    expect(devices.executed).toEqual([{ property: 'switch', name: 'on' }]);
  });

  it('does not reach the cloud for an undeclared action or an unknown device', async () => {
    const devices = cloud([lamp]);
    const service = new DeviceService({ cloud: devices, log: logCapture() });
    await expect(service.execute(session, 'lamp', { property: 'color', name: 'num', value: 1 })).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
    });
    await expect(service.execute(session, 'ghost', { property: 'switch', name: 'on' })).rejects.toMatchObject({
      errorName: 'E_DRIVER_DEVICE_NO_FOUND',
    });
    expect(devices.executed).toEqual([]);
  });

  it('refuses a state from the cloud that breaks the protocol', async () => {
    const service = new DeviceService({ cloud: cloud([lamp], { switch: 'maybe' }), log: logCapture() });
    await expect(service.execute(session, 'lamp', { property: 'switch', name: 'on' })).rejects.toMatchObject({
      errorName: 'E_DRIVER_ERROR',
      message: expect.stringContaining('reported a state the protocol does not allow'),
    });
  });
});
