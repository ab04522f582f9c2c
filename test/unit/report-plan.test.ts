/**
 * What an event becomes against an endpoint's position (report-plan.ts, ordering.ts), without I/O: orders that
 * compare as the changes happened, `added` and `deleted` ordered against each other only, a scheme switch that
 * starts over, and reports that agree with themselves.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../functions/domain/events/device-event.ts';
import { isDue, isNewer, orderEvents, sequenceOrder, timeOrder } from '../../functions/domain/events/ordering.ts';
import type { EndpointPosition } from '../../functions/domain/events/ports.ts';
import { overtaken, planReport } from '../../functions/domain/events/report-plan.ts';
import type { Device } from '../../functions/domain/protocol/device.ts';

const AT = '2026-12-06T16:00:00.000Z';
const device: Device = {
  deviceId: 'light-1',
  name: 'light',
  type: 'light',
  actions: { switch: ['on', 'off'], brightness: ['num'] },
  state: { switch: 'off', brightness: 10 },
} as Device;
const event = (order: string, rest: Partial<DeviceEvent> = {}): DeviceEvent => ({
  key: 'k',
  vendorUserId: 'u',
  deviceId: 'light-1',
  type: 'changed',
  cause: 'PHYSICAL_INTERACTION',
  sampledAt: AT,
  order,
  ...rest,
});
const empty = (): EndpointPosition => ({ orders: {}, delivered: {}, sent: {} });

describe('orders', () => {
  it('compare as the changes happened: sequences numerically, times to the millisecond, then the place in the body', () => {
    expect(isNewer(sequenceOrder(10, 0), sequenceOrder(9, 0))).toBe(true);
    expect(isNewer(sequenceOrder(9, 1), sequenceOrder(9, 0))).toBe(true);
    expect(isNewer(timeOrder('2026-12-06T16:00:00.001Z', 0), timeOrder(AT, 3))).toBe(true);
    expect(isNewer(timeOrder(AT, 0), timeOrder(AT, 0))).toBe(false);
  });

  it('a change whose delivery died after it was about to be sent is sent again; one recorded as delivered is not', () => {
    expect(isDue(sequenceOrder(4, 0), sequenceOrder(4, 0), sequenceOrder(3, 0))).toBe(true);
    expect(isDue(sequenceOrder(4, 0), sequenceOrder(4, 0), sequenceOrder(4, 0))).toBe(false);
    // A newer one was about to be sent when its delivery died: it may have reached Rokid, so the older is held back.
    expect(isDue(sequenceOrder(4, 0), sequenceOrder(9, 0), sequenceOrder(3, 0))).toBe(false);
  });

  it('an endpoint that switches scheme starts over: the first order in the new scheme is newer', () => {
    expect(isNewer(sequenceOrder(0, 0), timeOrder(AT, 0))).toBe(true);
    expect(isNewer(timeOrder(AT, 0), sequenceOrder(99, 0))).toBe(true);
  });

  it("a device's timeOfSample in another zone is normalised to UTC", () => {
    const received = Date.parse(AT);
    const [ordered] = orderEvents([{ userId: 'u', deviceId: 'd', timeOfSample: '2026-12-07T00:00:01+08:00' }], received);
    expect(ordered).toEqual({ order: timeOrder('2026-12-06T16:00:01.000Z', 0), sampledAt: '2026-12-06T16:00:01.000Z' });
  });
});

describe('added and deleted', () => {
  it('are ordered against each other: an older added after a newer deleted is superseded, and the reverse', () => {
    const deleted = planReport(event(sequenceOrder(5, 0), { type: 'deleted' }), undefined, empty(), AT);
    expect(deleted.kind).toBe('send');
    const { orders } = (deleted as { record: { orders: Record<string, string> } }).record;
    const after = { orders, delivered: orders, sent: {} };
    expect(planReport(event(sequenceOrder(4, 0), { type: 'added' }), device, after, AT)).toEqual({ kind: 'superseded' });
    expect(planReport(event(sequenceOrder(6, 0), { type: 'added' }), device, after, AT).kind).toBe('send');
  });

  it('neither supersedes a change, nor is superseded by one', () => {
    const orders = { endpoint: sequenceOrder(9, 0), Switch: sequenceOrder(9, 0) };
    const position: EndpointPosition = { orders, delivered: orders, sent: {} };
    expect(planReport(event(sequenceOrder(5, 0), { state: { brightness: 20 } }), device, position, AT).kind).toBe('send');
    expect(planReport(event(sequenceOrder(10, 0), { type: 'deleted' }), undefined, position, AT).kind).toBe('send');
  });

  it('a deleted endpoint forgets what Rokid was last sent of it', () => {
    const position: EndpointPosition = { ...empty(), sent: { Switch: { interface: 'Switch', value: 'On', timeOfSample: AT } } };
    expect(planReport(event(sequenceOrder(1, 0), { type: 'deleted' }), undefined, position, AT)).toMatchObject({
      kind: 'send',
      record: { unsent: ['Switch'] },
    });
  });
});

describe('overtaken, before the device is read (an event that finds its endpoint held)', () => {
  // The holder has recorded a newer Switch change as about to be sent; nothing newer of Brightness.
  const held: EndpointPosition = { orders: { Switch: sequenceOrder(9, 0), endpoint: sequenceOrder(9, 0) }, delivered: {}, sent: {} };

  it('a change of an interface the holder overtakes is, and planned against the same position it is superseded', () => {
    const older = event(sequenceOrder(5, 0), { state: { switch: 'on' } });
    expect(overtaken(older, held)).toBe(true);
    expect(planReport(older, device, held, AT)).toEqual({ kind: 'superseded' });
  });

  it('a change that names one interface still due is not: it waits its turn', () => {
    expect(overtaken(event(sequenceOrder(5, 0), { state: { switch: 'on', brightness: 30 } }), held)).toBe(false);
    expect(overtaken(event(sequenceOrder(5, 0), { state: { brightness: 30 } }), held)).toBe(false);
    expect(overtaken(event(sequenceOrder(10, 0), { state: { switch: 'on' } }), held)).toBe(false);
  });

  it('the very change the holder is sending is not (its delivery may die: it is a repeat, not a step back)', () => {
    expect(overtaken(event(sequenceOrder(9, 0), { state: { switch: 'on' } }), held)).toBe(false);
  });

  it('a change without state is not known before the read; added and deleted go by the endpoint order', () => {
    expect(overtaken(event(sequenceOrder(1, 0)), held)).toBe(false);
    expect(overtaken(event(sequenceOrder(8, 0), { type: 'added' }), held)).toBe(true);
    expect(overtaken(event(sequenceOrder(10, 0), { type: 'deleted' }), held)).toBe(false);
  });
});
