/**
 * A device's v1 state as v2 interface states. Media.TVChannel's state is the descriptor `{code}` with the channel
 * number as a string (v1 channels are numbers).
 */
import type { State } from '../protocol/device.ts';
import { capitalized, NUMERIC_INTERFACES, SWING } from './interface-names.ts';

export interface InterfaceState {
  interface: string;
  value: unknown;
  timeOfSample: string;
}

/** A device's state as interface states, sampled at `sampledAt`; a value v2 cannot hold is left out. */
export function statesOf(state: State, sampledAt: Date | string): InterfaceState[] {
  const timeOfSample = typeof sampledAt === 'string' ? sampledAt : sampledAt.toISOString();
  const out: InterfaceState[] = [];
  const push = (name: string, value: unknown) => out.push({ interface: name, value, timeOfSample });
  if (state.switch === 'on' || state.switch === 'off') push('Switch', capitalized(state.switch));
  for (const [name, property] of Object.entries(NUMERIC_INTERFACES)) {
    const value = state[property as keyof State];
    if (typeof value === 'number') push(name, value);
  }
  if (typeof state.color === 'number') push('Color', state.color);
  if (state.mode) push('Mode', capitalized(state.mode));
  if (state.swing_mode) push('SwingMode', SWING[state.swing_mode]);
  if (typeof state.channel === 'number') push('Media.TVChannel', { code: String(state.channel) });
  return out;
}
