/**
 * A device's v1 actions as v2 capabilities (the digest's v1 → v2 table, and contradictions 20 and 21): which
 * interfaces an endpoint has, and which of their operations it supports.
 */
import type { Actions, Property } from '../protocol/device.ts';
import { capitalized, FAN_GEARS, NUMERIC_INTERFACES, PLAYBACK_MODES, SWING } from './interface-names.ts';

export interface Capability {
  interface: string;
  version: 'v1';
  supportedOperations: string[];
  // Both spellings, with equal values (contradiction 1).
  isRetrievable: boolean;
  retrievable: boolean;
  isProactivelyReported: boolean;
  proactivelyReported: boolean;
}

const NUMERIC_OPERATIONS: Record<string, string> = { num: 'Set', up: 'Adjust', down: 'Adjust', max: 'SetMax', min: 'SetMin' };
const unique = (names: string[]) => [...new Set(names)];

/**
 * Capabilities by the actions that give them: a home's devices share a few sets of actions, and building
 * them again for each of 500 devices was most of what Discover added to /list (`npm run bench:lambda`). The
 * arrays are frozen, since endpoints share them. Bounded: a cloud with more kinds simply builds more often.
 */
const built = new Map<string, readonly Capability[]>();
const MAX_KINDS = 256;

/** The capabilities a device's actions give it; `proactive`: whether changes reach Rokid as events. */
export function capabilitiesOf(actions: Actions, proactive = false): readonly Capability[] {
  const key = `${proactive}${JSON.stringify(actions)}`;
  let capabilities = built.get(key);
  if (capabilities === undefined) {
    if (built.size >= MAX_KINDS) built.clear();
    capabilities = Object.freeze(buildCapabilities(actions, proactive).map((c) => Object.freeze(c)));
    built.set(key, capabilities);
  }
  return capabilities;
}

function buildCapabilities(actions: Actions, proactive: boolean): Capability[] {
  const capability = (name: string, operations: string[], retrievable: boolean): Capability => ({
    interface: name,
    version: 'v1',
    supportedOperations: unique(operations),
    isRetrievable: retrievable,
    retrievable,
    isProactivelyReported: proactive && retrievable,
    proactivelyReported: proactive && retrievable,
  });
  const out: Capability[] = [];
  const has = (property: Property, name: string) => (actions[property] as readonly string[] | undefined)?.includes(name) ?? false;
  const switches = (['on', 'off'] as const).filter((name) => has('switch', name)).map(capitalized);
  if (switches.length > 0) out.push(capability('Switch', switches, true));
  if (has('switch', 'stop')) out.push(capability('MotionSwitch', ['Off'], false));
  for (const [name, property] of Object.entries(NUMERIC_INTERFACES)) {
    const names = (actions[property] as readonly string[] | undefined) ?? [];
    const operations = names.flatMap((n) => (NUMERIC_OPERATIONS[n] ? [NUMERIC_OPERATIONS[n]] : []));
    if (name === 'FanSpeed' && names.includes('num')) operations.push(...Object.keys(FAN_GEARS));
    if (operations.length > 0) out.push(capability(name, operations, true));
  }
  const color = [...(has('color', 'num') ? ['Set'] : []), ...(has('color', 'random') ? ['SetRandom'] : [])];
  if (color.length > 0) out.push(capability('Color', color, true));
  if (actions.mode) out.push(capability('Mode', actions.mode.map(capitalized), true));
  if (actions.swing_mode)
    out.push(
      capability(
        'SwingMode',
        actions.swing_mode.map((name) => SWING[name]!),
        true,
      ),
    );
  const channel = [
    ...(has('channel', 'next') ? ['Next'] : []),
    ...(has('channel', 'prev') ? ['Previous'] : []),
    ...(has('channel', 'num') ? ['Set'] : []),
  ];
  if (channel.length > 0) out.push(capability('Media.TVChannel', channel, true));
  const playback = (['play', 'pause'] as const).filter((name) => has('media_control', name)).map(capitalized);
  if (playback.length > 0) out.push(capability('PlaybackControl', playback, false));
  const music = [
    ...(has('media_control', 'stop') ? ['Stop'] : []),
    ...(has('media_control', 'next') ? ['Next'] : []),
    ...(has('media_control', 'previous') ? ['Previous'] : []),
  ];
  if (music.length > 0) out.push(capability('Media.Music', music, false));
  if (has('media_control', 'playmode')) out.push(capability('PlaybackMode', Object.keys(PLAYBACK_MODES), false));
  return out;
}
