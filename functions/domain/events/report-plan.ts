/**
 * What one event becomes for one grant, given where that grant's endpoint stands (its position: per interface, the
 * newest change delivered and the state Rokid was last sent). Supersession is per (endpoint, interface): an event
 * is sent with the interfaces it is the newest change of, and dropped only when every one of them was overtaken.
 * A ChangeReport agrees with itself: `endpoint.states` is the device as read, overlaid with the event's own states
 * (they win, with their own timeOfSample), and `change.states` holds only what changed: the event's own states
 * (the device cloud's word) or, for an event without state, the states read that differ from what Rokid was last
 * sent, and nothing at all when none does. `added` and `deleted` are ordered against each other, per endpoint.
 */
import type { Device } from '../protocol/device.ts';
import { additionalInfoOf } from '../v2/endpoints.ts';
import { type InterfaceState, statesOf } from '../v2/states.ts';
import type { DeviceEvent } from './device-event.ts';
import { ENDPOINT_ORDER, isDue } from './ordering.ts';
import type { EndpointPosition, PositionRecord } from './ports.ts';
import { addOrUpdateReport, deleteReport, type Report } from './reports.ts';

type ReportPlan =
  /** Every interface the event names has a newer change delivered already. */
  | { kind: 'superseded' }
  /** Nothing to send (nothing differs, or nothing v2 holds); the record still moves the order on. */
  | { kind: 'nothing'; record: PositionRecord }
  | { kind: 'send'; report: Report; record: PositionRecord };

const byInterface = (states: readonly InterfaceState[]): Record<string, InterfaceState> =>
  Object.fromEntries(states.map((state) => [state.interface, state]));

const differs = (state: InterfaceState, sent: InterfaceState | undefined): boolean =>
  sent === undefined || JSON.stringify(state.value) !== JSON.stringify(sent.value);

const dueAt =
  (event: DeviceEvent, { orders, delivered }: EndpointPosition) =>
  (name: string): boolean =>
    isDue(event.order, orders[name], delivered[name]);

/**
 * Whether every interface the event names has a newer change delivered or on its way, so that it is dropped
 * whatever the device reads. Known before the read, except for a `changed` event without state: the read names
 * its interfaces, so it is not known here (false). An event that finds its endpoint held can be dropped at once:
 * a change newer than it has been recorded for each of its interfaces, and its turn could only find that or
 * later. (Were the device cloud to switch schemes meanwhile, the turn would find the event "newer" and send an
 * old value after a new one; dropping it now is the right answer there too.)
 */
export function overtaken(event: DeviceEvent, position: EndpointPosition): boolean {
  const due = dueAt(event, position);
  if (event.type !== 'changed') return !due(ENDPOINT_ORDER);
  if (!event.state) return false;
  const named = statesOf(event.state, event.sampledAt);
  return named.length > 0 && named.every((state) => !due(state.interface));
}

/** `device`: as the cloud has it now, read at `readAt`; undefined for a `deleted` event, or a device gone. */
export function planReport(event: DeviceEvent, device: Device | undefined, position: EndpointPosition, readAt: string): ReportPlan {
  const { sent } = position;
  const due = dueAt(event, position);
  if (event.type !== 'changed') {
    if (overtaken(event, position)) return { kind: 'superseded' };
    const moved = { [ENDPOINT_ORDER]: event.order };
    if (event.type === 'deleted')
      return { kind: 'send', report: deleteReport(event), record: { orders: moved, sent: {}, unsent: Object.keys(sent) } };
    const report = device && addOrUpdateReport(device, readAt);
    if (!device || !report) return { kind: 'nothing', record: { orders: moved, sent: {}, unsent: [] } };
    return { kind: 'send', report, record: { orders: moved, sent: byInterface(statesOf(device.state, readAt)), unsent: [] } };
  }
  const read = device ? byInterface(statesOf(device.state, readAt)) : {};
  // Without state, the device as read is the change: it is at least as new as the event.
  const named = event.state ? statesOf(event.state, event.sampledAt) : Object.values(read);
  const current = named.filter((state) => due(state.interface));
  if (named.length > 0 && current.length === 0) return { kind: 'superseded' };
  // An interface whose newer change was delivered keeps what Rokid was sent of it, not this event's older value.
  const behind = named.filter((state) => !current.includes(state)).map((state) => sent[state.interface] ?? read[state.interface]);
  const endpointStates = {
    ...read,
    ...byInterface(behind.filter((s): s is InterfaceState => s !== undefined)),
    ...byInterface(current),
  };
  const changed = event.state ? current : current.filter((state) => differs(state, sent[state.interface]));
  const record: PositionRecord = {
    orders: Object.fromEntries(current.map((state) => [state.interface, event.order])),
    sent: {},
    unsent: [],
  };
  if (changed.length === 0) return { kind: 'nothing', record };
  record.sent = endpointStates;
  const report: Report = {
    namespace: 'Rokid',
    name: 'ChangeReport',
    endpoint: {
      endpointId: event.deviceId,
      additionalInfo: (device && additionalInfoOf(device.deviceInfo ?? undefined)) ?? {},
      states: Object.values(endpointStates),
    },
    payload: { change: { cause: { type: event.cause }, states: changed } },
  };
  return { kind: 'send', report, record };
}
