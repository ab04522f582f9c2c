/**
 * The fault run's clients, as Rokid behaves: each sends Controls (Set, Adjust both ways, Switch) and
 * ReportStates for the users' lights and TVs, one at a time, and resends a message with the same messageId
 * and payload when its answer was lost (the environment killed under it) or the endpoint was busy, and now
 * and then for no reason (an answer Rokid thought lost). Every choice comes from the client's own seeded stream.
 */
import type { Answer, Intent, SentMessage } from '../../../lib/assembly/faults/history.ts';
import { Rng } from '../../../lib/assembly/faults/plan.ts';
import { control, reportState, type V2Authorization } from '../../support/v2.ts';

export interface ClientWorld {
  seed: number;
  users: { id: string; authorization: V2Authorization; light: string; tv: string }[];
  /** One send: the answer as the client sees it. */
  send(message: unknown, tag: string): Promise<Answer>;
  messages: SentMessage[];
  /** Each message's body, by messageId, for its resends. */
  bodies: Map<string, unknown>;
}

const MAX_SENDS = 8;

interface Pending {
  message: SentMessage;
  body: unknown;
  due: number;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isBusy = (answer: Answer) => answer.kind === 'error' && answer.name === 'E_ENDPOINT_BUSY';

/** The next operation of one client. */
function nextMessage(world: ClientWorld, rng: Rng, messageId: string): { message: SentMessage; body: unknown } {
  const user = rng.pick(world.users);
  const onLight = rng.next() < 0.5;
  const endpointId = onLight ? user.light : user.tv;
  const property = onLight ? 'brightness' : 'volume';
  const iface = onLight ? 'Brightness' : 'Volume';
  const u = rng.next();
  let directive: string;
  let payload: Record<string, unknown> = {};
  let intent: Intent | undefined;
  if (u < 0.15) {
    const body = reportState(user.authorization, endpointId);
    body.header.messageId = messageId;
    return { message: { messageId, user: user.id, endpointId, directive: 'ReportState', answers: [] }, body };
  } else if (u < 0.35) {
    // One Set in twenty is out of range: a definite refusal, never applied.
    const value = rng.next() < 0.05 ? rng.int(101, 150) : rng.int(0, 100);
    [directive, payload, intent] = [`${iface}.Set`, { value }, { op: 'set', property, value }];
  } else if (u < 0.8) {
    const delta = rng.int(1, 20) * (rng.next() < 0.5 ? 1 : -1);
    [directive, payload, intent] = [`${iface}.Adjust`, { delta }, { op: 'adjust', property, delta }];
  } else {
    const value = rng.next() < 0.5 ? 'on' : 'off';
    [directive, intent] = [value === 'on' ? 'Switch.On' : 'Switch.Off', { op: 'switch', value }];
  }
  const body = control(user.authorization, endpointId, directive, payload, messageId);
  return { message: { messageId, user: user.id, endpointId, directive, intent, answers: [] }, body };
}

async function sendOnce(world: ClientWorld, pending: Pending): Promise<Answer> {
  const answer = await world.send(pending.body, `${pending.message.messageId}#${pending.message.answers.length}`);
  pending.message.answers.push(answer);
  return answer;
}

/** Clients at work until `until` (ms since the epoch); what they sent is in `world.messages`. */
export async function runClients(world: ClientWorld, clients: number, until: number): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const rng = new Rng(world.seed, 'client', c);
      const resends: Pending[] = [];
      for (let op = 0; Date.now() < until; ) {
        const dueAt = resends.findIndex((p) => p.due <= Date.now());
        let pending: Pending;
        if (dueAt >= 0) pending = resends.splice(dueAt, 1)[0]!;
        else {
          const made = nextMessage(world, rng, `m${world.seed}-c${c}-${op++}`);
          world.messages.push(made.message);
          world.bodies.set(made.message.messageId, made.body);
          pending = { ...made, due: 0 };
        }
        const answer = await sendOnce(world, pending);
        if (pending.message.answers.length >= MAX_SENDS) continue;
        // A lost answer is resent within seconds, sometimes after the first delivery's claim could have lapsed.
        if (answer.kind === 'killed') resends.push({ ...pending, due: Date.now() + rng.int(200, 12_000) });
        else if (isBusy(answer)) resends.push({ ...pending, due: Date.now() + rng.int(200, 3_000) });
        else if (rng.next() < 0.1) resends.push({ ...pending, due: Date.now() + rng.int(0, 12_000) });
      }
    }),
  );
}

/** With the faults off: every message whose last send got no answer (or busy) is resent until it has one, for up to `ms`. */
export async function drain(world: ClientWorld, ms: number): Promise<void> {
  const until = Date.now() + ms;
  const open = () =>
    world.messages.filter((m) => {
      const last = m.answers.at(-1);
      return last === undefined || last.kind === 'killed' || isBusy(last);
    });
  for (let left = open(); left.length > 0 && Date.now() < until; left = open()) {
    await Promise.all(left.map((message) => sendOnce(world, { message, body: world.bodies.get(message.messageId), due: 0 })));
    if (open().length > 0) await wait(500);
  }
}
