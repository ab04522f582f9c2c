/**
 * What a Control's Response told Rokid of an endpoint's states, kept as "last sent" in each of the vendor user's
 * grants' position items (grant-delivery.ts), so that a later event without state reports only what differs from
 * it. Best-effort: one index read and a write per grant, never failing or delaying the Control.
 */
import type { Clock } from '../ports.ts';
import type { InterfaceState } from '../v2/states.ts';
import { positionKey } from './grant-delivery.ts';
import type { DeliveryPositions, GrantStore } from './ports.ts';

export class SentStates {
  readonly #grants: GrantStore;
  readonly #positions: DeliveryPositions;
  readonly #clock: Clock;

  constructor(deps: { grants: GrantStore; positions: DeliveryPositions; clock: Clock }) {
    this.#grants = deps.grants;
    this.#positions = deps.positions;
    this.#clock = deps.clock;
  }

  async recordControl(vendorUserId: string, deviceId: string, states: readonly InterfaceState[]): Promise<void> {
    const keys = await this.#grants.idsOfVendorUser(vendorUserId);
    const sent = Object.fromEntries(states.map((state) => [state.interface, state]));
    const now = this.#clock.now();
    await Promise.all(keys.map((key) => this.#positions.recordSent(positionKey(key, deviceId), sent, now)));
  }
}
