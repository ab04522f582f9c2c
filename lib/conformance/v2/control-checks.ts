/**
 * Control: every operation each endpoint lists, with a payload the docs allow, then the endpoint put back as
 * it was; and one Control delivered twice under one messageId, which must act once. Only where the run may
 * execute (loopback, or --execute).
 */
import { isRecord } from '../../../functions/domain/json.ts';
import { authorizationOf, capabilitiesOf, directive, send, strings, type V2Context } from './context.ts';
import { type Endpoint, firstPercentage, isRetrievable, reportState, responseProblems, statesOf } from './discovery-checks.ts';
import { INTERFACES, replyProblems } from './rules.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The payload a test of `Interface.Operation` sends, and the state it must leave (undefined: not determined). */
function trial(name: string, operation: string): { payload: unknown; expect?: unknown } | undefined {
  const kind = INTERFACES[name]?.value;
  if (operation === 'Set') {
    if (name === 'Media.TVChannel') return { payload: { tvChannel: { code: '5' } }, expect: { code: '5' } };
    if (name === 'Color') return { payload: { value: 0x00ff00 }, expect: 0x00ff00 };
    if (kind === 'percent' || name === 'Temperature') return { payload: { value: 37 }, expect: 37 };
    return undefined; // Media.Music.Set: its payload is undocumented
  }
  if (operation === 'Adjust') return { payload: { delta: 1 } };
  if (kind === 'percent' && (operation === 'SetMax' || operation === 'SetMin'))
    return { payload: {}, expect: operation === 'SetMax' ? 100 : 0 };
  if (kind === 'enum' && name !== 'MotionSwitch') return { payload: {}, expect: operation };
  return { payload: {} };
}

/** How to put one interface back to `value`, where it can be. */
function restoring(name: string, value: unknown, operations: string[]): { operation: string; payload: unknown } | undefined {
  const kind = INTERFACES[name]?.value;
  if (kind === 'enum' && operations.includes(String(value))) return { operation: String(value), payload: {} };
  if ((kind === 'percent' || kind === 'number') && typeof value === 'number' && operations.includes('Set'))
    return { operation: 'Set', payload: { value } };
  if (name === 'Media.TVChannel' && isRecord(value) && operations.includes('Set'))
    return { operation: 'Set', payload: { tvChannel: value } };
  return undefined;
}

async function control(context: V2Context, endpointId: string, name: string, payload: unknown, messageId?: string) {
  const message = directive('Rokid.Control', name, authorizationOf(context.options), {
    endpointId,
    payload,
    ...(messageId ? { messageId } : {}),
  });
  const answer = await send(context, `${name} on ${endpointId}`, message);
  const problems = replyProblems(answer, { name: 'Response', messageId: message.header.messageId }).map(
    (p) => `${endpointId} ${name}: ${p}`,
  );
  return { answer, problems: problems.length > 0 ? problems : responseProblems(answer, endpointId) };
}

export async function checkControls(context: V2Context, endpoints: Endpoint[] | undefined): Promise<void> {
  const { results, options } = context;
  if (!endpoints) return results.skip('v2.control', 'every listed operation of every endpoint', 'no endpoints were discovered');
  if (!options.execute)
    return results.skip('v2.control', 'every listed operation of every endpoint', 'read-only run (give --execute to control devices)');
  for (const endpoint of endpoints) {
    const endpointId = String(endpoint['endpointId']);
    const capabilities = capabilitiesOf(endpoint);
    const before = (await reportState(context, endpointId)).states;
    const problems: string[] = [];
    for (const capability of capabilities) {
      const name = String(capability['interface']);
      for (const operation of strings(capability['supportedOperations'])) {
        const test = trial(name, operation);
        if (!test) continue;
        const { answer, problems: found } = await control(context, endpointId, `${name}.${operation}`, test.payload);
        problems.push(...found);
        if (found.length === 0 && test.expect !== undefined && isRetrievable(capability)) {
          const after = statesOf(answer)[name];
          if (JSON.stringify(after) !== JSON.stringify(test.expect))
            problems.push(
              `${endpointId} ${name}.${operation}: the Response says ${JSON.stringify(after)}, not ${JSON.stringify(test.expect)}`,
            );
          else {
            const reported = (await reportState(context, endpointId)).states[name];
            if (JSON.stringify(reported) !== JSON.stringify(test.expect))
              problems.push(
                `${endpointId} ${name}.${operation}: ReportState then says ${JSON.stringify(reported)}; the change was not kept`,
              );
          }
        }
        await pause(options.execDelayMs);
      }
    }
    problems.push(...(await restore(context, endpointId, capabilities, before)));
    results.expect(
      `v2.control.${endpointId}`,
      `every operation ${endpointId} lists answers a Response with valid states, and it is put back`,
      problems,
    );
  }
}

async function restore(
  context: V2Context,
  endpointId: string,
  capabilities: Record<string, unknown>[],
  before: Record<string, unknown>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const capability of capabilities.filter(isRetrievable)) {
    const name = String(capability['interface']);
    const back = name in before ? restoring(name, before[name], strings(capability['supportedOperations'])) : undefined;
    if (!back) continue;
    const { problems: found } = await control(context, endpointId, `${name}.${back.operation}`, back.payload);
    problems.push(...found.map((p) => `putting it back: ${p}`));
  }
  return problems;
}

/** Rokid resends a message it believes lost with the same messageId: the resend gets the first answer, and acts on nothing. */
export async function checkAtMostOnce(context: V2Context, endpoints: Endpoint[] | undefined): Promise<void> {
  const title = 'a Control delivered twice under one messageId gets the same answer and acts once';
  const { results, options } = context;
  if (!options.execute) return results.skip('v2.at-most-once', title, 'read-only run (give --execute to control devices)');
  const target = firstPercentage(endpoints, ['Set', 'Adjust'], true);
  if (!target) return results.skip('v2.at-most-once', title, 'no endpoint has a retrievable percentage with Set and Adjust');
  const { endpointId, name } = target;
  const original = (await reportState(context, endpointId)).states[name];
  const problems = (await control(context, endpointId, `${name}.Set`, { value: 40 })).problems;
  const messageId = `conformance-once-${Date.now()}`;
  const first = await control(context, endpointId, `${name}.Adjust`, { delta: 5 }, messageId);
  const again = await control(context, endpointId, `${name}.Adjust`, { delta: 5 }, messageId);
  problems.push(...first.problems, ...again.problems);
  if (first.answer.text !== again.answer.text && JSON.stringify(first.answer.json) !== JSON.stringify(again.answer.json))
    problems.push('the second delivery got a different answer');
  const now = (await reportState(context, endpointId)).states[name];
  if (now !== 45) problems.push(`${endpointId} ${name} is ${JSON.stringify(now)} after Set 40 and one Adjust +5 delivered twice, not 45`);
  if (typeof original === 'number') await control(context, endpointId, `${name}.Set`, { value: original });
  results.expect('v2.at-most-once', title, problems);
}
