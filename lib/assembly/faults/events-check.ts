/**
 * The fault run's event half, checked (test/bench/faults/events.ts): what the webhook acknowledged against what
 * Rokid's gateway accepted. Every acknowledged event reaches the gateway at least once, unless each interface it
 * names had a newer change delivered (superseded), its device is not listed (a ghost) or its grant ended (a
 * confirmed 403); per (endpoint, interface) the gateway receives changes in their order; duplicates stay at most
 * 1 % (one is allowed in a run of under 200 deliveries); no ChangeReport contradicts itself.
 */

/** One event the webhook acknowledged (202), as the device cloud sent it. */
export interface SentEvent {
  messageId: string;
  endpoint: string;
  /** The grant it is sent under (the harness's name for it): a confirmed 403 that ends it excuses what is left. */
  grant: string;
  sequence: number;
  /** The v2 interfaces its state names. */
  interfaces: string[];
  ghost: boolean;
}

/** One report the gateway accepted (202), in the order it arrived. */
export interface AcceptedReport {
  messageId: string;
  name: string;
  endpoint?: { endpointId?: string; states?: Array<{ interface: string; value: unknown }> };
  change?: Array<{ interface: string; value: unknown }>;
}

export interface EventVerdict {
  acknowledged: number;
  delivered: number;
  superseded: number;
  ghosts: number;
  ended: number;
  duplicates: number;
  violations: string[];
}

const MAX_DUPLICATE_SHARE = 0.01;

export function checkEvents(
  sent: readonly SentEvent[],
  accepted: readonly AcceptedReport[],
  endedGrants: ReadonlySet<string>,
): EventVerdict {
  const byId = new Map(sent.map((event) => [event.messageId, event]));
  const violations: string[] = [];
  // Two events under one messageId would let one's delivery hide the other's loss: the history itself is wrong.
  if (byId.size < sent.length) violations.push(`${sent.length - byId.size} acknowledged events share a messageId with another`);
  const delivered = new Set<string>();
  /** Per (endpoint, interface), the newest sequence delivered so far. */
  const last = new Map<string, number>();
  let arrivals = 0;
  for (const report of accepted) {
    const event = byId.get(report.messageId);
    if (!event) continue;
    arrivals++;
    delivered.add(report.messageId);
    if (event.ghost) violations.push(`a ghost device was reported: ${event.endpoint} (${report.messageId})`);
    for (const state of report.change ?? []) {
      const key = `${event.endpoint}/${state.interface}`;
      if ((last.get(key) ?? -1) > event.sequence) {
        violations.push(`${key} went backwards: sequence ${event.sequence} after ${last.get(key)} (${report.messageId})`);
      }
      last.set(key, Math.max(last.get(key) ?? -1, event.sequence));
      const inEndpoint = report.endpoint?.states?.find((s) => s.interface === state.interface);
      if (!inEndpoint || JSON.stringify(inEndpoint.value) !== JSON.stringify(state.value)) {
        violations.push(`a report contradicts itself: ${key} ${JSON.stringify(state.value)} in the change (${report.messageId})`);
      }
    }
  }
  let superseded = 0;
  let ghosts = 0;
  let ended = 0;
  for (const event of sent) {
    if (delivered.has(event.messageId)) continue;
    if (event.ghost) ghosts++;
    else if (event.interfaces.every((name) => (last.get(`${event.endpoint}/${name}`) ?? -1) > event.sequence)) superseded++;
    else if (endedGrants.has(event.grant)) ended++;
    else violations.push(`lost: ${event.endpoint} sequence ${event.sequence} (${event.messageId})`);
  }
  const duplicates = arrivals - delivered.size;
  // One duplicate is within the goal however short the run: a share of a few dozen deliveries says nothing.
  if (duplicates > Math.max(1, Math.floor(MAX_DUPLICATE_SHARE * delivered.size))) {
    violations.push(`${duplicates} duplicates of ${delivered.size} delivered: over ${MAX_DUPLICATE_SHARE * 100} %`);
  }
  return { acknowledged: sent.length, delivered: delivered.size, superseded, ghosts, ended, duplicates, violations };
}
