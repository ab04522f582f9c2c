/**
 * The Homebase v1 device model: types, the 14 properties with their action names, and state ranges.
 * Source: rokid-homebase-docs v1/device/{device,actions-and-state}.md and v2/endpoint-type.md.
 */
import * as v from 'valibot';

/** Every type the current Homebase docs list. `box` and `tvBox` are both listed; both are accepted. */
export const DEVICE_TYPES = [
  'light',
  'switch',
  'socket',
  'irController',
  'curtain',
  'panel',
  'tv',
  'stb',
  'box',
  'tvBox',
  'fan',
  'remoteController',
  'ac',
  'airPurifier',
  'scene',
  'cleanBot',
  'projector',
  'dehumidifier',
  'thermostat',
  'humidifier',
  'door',
  'floorHeater',
  'refrigerator',
  'waterHeater',
  'lampblackMachine',
  'washingMachine',
  'gasStove',
  'heatingFurnace',
  'wineCabinet',
  'speaker',
  'atomizedGlass',
  'heater',
  'airer',
  'alarm',
  'waterDetector',
  'feeder',
  'windowPusher',
  'ventilation',
  'bridge',
  'rokid',
  'unknown',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

const ADJUST = ['up', 'down', 'max', 'min', 'num'] as const;
export const SWITCH_VALUES = ['on', 'off', 'stop'] as const;
export const MODES = ['auto', 'manual', 'cool', 'heat', 'dry', 'fan', 'silent', 'energy', 'sleep'] as const;
export const SWING_MODES = ['auto', 'on', 'off', 'horizon', 'horizon.off', 'vertical', 'vertical.off'] as const;

/** The action names each property allows. */
export const PROPERTY_ACTIONS = {
  switch: SWITCH_VALUES,
  color: ['random', 'num'],
  brightness: ADJUST,
  mode: MODES,
  position: ['up', 'down', 'num'],
  fanspeed: ['up', 'down', 'max', 'min', 'switch', 'num'],
  swing_mode: SWING_MODES,
  volume: ADJUST,
  channel: ['next', 'prev', 'random', 'num'],
  humidity: ADJUST,
  temperature: ADJUST,
  color_temperature: ADJUST,
  media_control: ['play_media', 'pause', 'play', 'stop', 'playmode', 'previous', 'next', 'get_meta'],
  ping: ['trigger'],
} as const;
export type Property = keyof typeof PROPERTY_ACTIONS;
export const PROPERTIES = Object.keys(PROPERTY_ACTIONS) as Property[];

export interface NumericRange {
  min: number;
  max: number;
  integer: boolean;
}
const PERCENT: NumericRange = { min: 0, max: 100, integer: false };

/** Properties whose state is a number, with the range the protocol allows. */
export const NUMERIC_RANGES = {
  color: { min: 0, max: 0xffffff, integer: true },
  brightness: PERCENT,
  position: PERCENT,
  fanspeed: PERCENT,
  volume: PERCENT,
  channel: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
  humidity: PERCENT,
  temperature: PERCENT,
  color_temperature: PERCENT,
} as const satisfies Partial<Record<Property, NumericRange>>;
export type NumericProperty = keyof typeof NUMERIC_RANGES;

export const isNumericProperty = (property: string): property is NumericProperty => Object.hasOwn(NUMERIC_RANGES, property);

export function describeRange(range: NumericRange): string {
  const max = range.max === Number.MAX_SAFE_INTEGER ? 'up' : `to ${range.max}`;
  return `${range.integer ? 'an integer' : 'a number'} from ${range.min} ${max}`;
}

const inRange = (range: NumericRange) =>
  v.nullable(
    v.pipe(
      v.number(),
      v.finite(),
      v.check((n) => !range.integer || Number.isInteger(n), `expected ${describeRange(range)}`),
      v.minValue(range.min, `expected ${describeRange(range)}`),
      v.maxValue(range.max, `expected ${describeRange(range)}`),
    ),
  );

const actionList = <const T extends readonly [string, ...string[]]>(names: T) =>
  v.optional(v.pipe(v.array(v.picklist(names)), v.nonEmpty()));

export const ActionsSchema = v.strictObject({
  switch: actionList(PROPERTY_ACTIONS.switch),
  color: actionList(PROPERTY_ACTIONS.color),
  brightness: actionList(PROPERTY_ACTIONS.brightness),
  mode: actionList(PROPERTY_ACTIONS.mode),
  position: actionList(PROPERTY_ACTIONS.position),
  fanspeed: actionList(PROPERTY_ACTIONS.fanspeed),
  swing_mode: actionList(PROPERTY_ACTIONS.swing_mode),
  volume: actionList(PROPERTY_ACTIONS.volume),
  channel: actionList(PROPERTY_ACTIONS.channel),
  humidity: actionList(PROPERTY_ACTIONS.humidity),
  temperature: actionList(PROPERTY_ACTIONS.temperature),
  color_temperature: actionList(PROPERTY_ACTIONS.color_temperature),
  media_control: actionList(PROPERTY_ACTIONS.media_control),
  ping: actionList(PROPERTY_ACTIONS.ping),
});
export type Actions = v.InferOutput<typeof ActionsSchema>;

/** ping and media_control carry no state, so they have no key here. */
export const StateSchema = v.strictObject({
  switch: v.optional(v.nullable(v.picklist(SWITCH_VALUES))),
  color: v.optional(inRange(NUMERIC_RANGES.color)),
  brightness: v.optional(inRange(NUMERIC_RANGES.brightness)),
  mode: v.optional(v.nullable(v.picklist(MODES))),
  position: v.optional(inRange(NUMERIC_RANGES.position)),
  fanspeed: v.optional(inRange(NUMERIC_RANGES.fanspeed)),
  swing_mode: v.optional(v.nullable(v.picklist(SWING_MODES))),
  volume: v.optional(inRange(NUMERIC_RANGES.volume)),
  channel: v.optional(inRange(NUMERIC_RANGES.channel)),
  humidity: v.optional(inRange(NUMERIC_RANGES.humidity)),
  temperature: v.optional(inRange(NUMERIC_RANGES.temperature)),
  color_temperature: v.optional(inRange(NUMERIC_RANGES.color_temperature)),
});
export type State = v.InferOutput<typeof StateSchema>;

const text = v.pipe(v.string(), v.trim(), v.nonEmpty());

/** A device as the driver returns it. Unknown keys are dropped, so nothing a device cloud adds leaks through. */
export const DeviceSchema = v.object({
  deviceId: text,
  name: text,
  type: v.picklist(DEVICE_TYPES),
  actions: ActionsSchema,
  state: StateSchema,
  offline: v.optional(v.boolean()),
  deviceInfo: v.optional(v.nullable(v.record(v.string(), v.unknown()))),
  execDelay: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  roomName: v.optional(v.string()),
  homeName: v.optional(v.string()),
});
export type Device = v.InferOutput<typeof DeviceSchema>;
