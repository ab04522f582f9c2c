/** Discover and ReportState: the reply, every endpoint against the docs, and each retrievable endpoint's state. */
import { isRecord } from '../../../functions/domain/json.ts';
import { summarize } from '../results.ts';
import { authorizationOf, capabilitiesOf, directive, field, records, send, strings, type V2Context } from './context.ts';
import { endpointProblems, INTERFACES, labelOf, replyProblems, rhomeEndpointWarnings, stateProblems } from './rules.ts';

export type Endpoint = Record<string, unknown>;

const DISCOVER_CHECKS = [
  ['v2.discover', 'Discover answers a DiscoveryResponse echoing the messageId, with payload.endpoints'],
  [
    'v2.endpoint-model',
    'every endpoint follows endpoint.md: displayType, capabilities (version, operations, flags), states, additionalInfo',
  ],
  ['v2.unique-ids', 'endpointIds are unique'],
  ['v2.rhome', "what rhome 2.0.8's older schemas would refuse (warnings only)"],
] as const;

/** rhome's `/v2-response-message` requires an endpoint, which no ErrorResponse has (the digest's row 15). */
export const RHOME_ERROR_RESPONSE_NOTE =
  'rhome 2.0.8 reports every Control or Query ErrorResponse as a schema failure, since its response schema requires an endpoint the docs give no ErrorResponse; this CLI follows the docs and asks for none';

export async function checkDiscover(context: V2Context): Promise<Endpoint[] | undefined> {
  const { results, options } = context;
  const authorization = authorizationOf(options);
  if (!authorization) {
    for (const [id, title] of DISCOVER_CHECKS)
      results.skip(id, title, 'no authorization: give --bearer, or --jwt-app-id, --jwt-app-secret and --jwt-user-id');
    return undefined;
  }
  const message = directive('Rokid.Discovery', 'Discover', authorization);
  const answer = await send(context, 'Discover', message);
  const problems = replyProblems(answer, { name: 'DiscoveryResponse', messageId: message.header.messageId });
  const endpoints = field(answer.json, 'payload', 'endpoints');
  if (problems.length === 0 && !Array.isArray(endpoints)) problems.push('payload.endpoints is not an array');
  results.expect(DISCOVER_CHECKS[0][0], DISCOVER_CHECKS[0][1], problems);
  if (problems.length > 0) {
    for (const [id, title] of DISCOVER_CHECKS.slice(1)) results.skip(id, title, 'the Discover answer could not be read');
    return undefined;
  }
  const list = endpoints as unknown[];
  results.expect(DISCOVER_CHECKS[1][0], DISCOVER_CHECKS[1][1], list.flatMap(endpointProblems));
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of list.map(labelOf)) (seen.has(String(id)) ? repeated : seen).add(String(id));
  results.expect(
    DISCOVER_CHECKS[2][0],
    DISCOVER_CHECKS[2][1],
    [...repeated].map((id) => `${id} is discovered more than once`),
  );
  const warnings = list.flatMap(rhomeEndpointWarnings);
  results.pass(
    DISCOVER_CHECKS[3][0],
    DISCOVER_CHECKS[3][1],
    `warning: ${[summarize(warnings), RHOME_ERROR_RESPONSE_NOTE].filter(Boolean).join('; ')}`,
  );
  return list.filter(isRecord);
}

export const isRetrievable = (capability: unknown) =>
  isRecord(capability) && (capability['isRetrievable'] === true || capability['retrievable'] === true);

/** The first percentage interface of any endpoint that takes all of `operations` (and can be read back, if asked). */
export function firstPercentage(
  endpoints: Endpoint[] | undefined,
  operations: string[],
  retrievable: boolean,
): { endpointId: string; name: string } | undefined {
  for (const endpoint of endpoints ?? []) {
    for (const c of capabilitiesOf(endpoint)) {
      const listed = strings(c['supportedOperations']);
      if (INTERFACES[String(c['interface'])]?.value !== 'percent' || (retrievable && !isRetrievable(c))) continue;
      if (operations.every((op) => listed.includes(op)))
        return { endpointId: String(endpoint['endpointId']), name: String(c['interface']) };
    }
  }
  return undefined;
}

/** ReportState for every endpoint with something retrievable: a Response naming the endpoint, with valid states. */
export async function checkReportState(context: V2Context, endpoints: Endpoint[] | undefined): Promise<void> {
  const title = 'ReportState answers a Response with the endpoint and its states, for every endpoint that has any retrievable';
  if (!endpoints) return context.results.skip('v2.report-state', title, 'no endpoints were discovered');
  const problems: string[] = [];
  for (const endpoint of endpoints.filter((e) => capabilitiesOf(e).some(isRetrievable))) {
    const reported = await reportState(context, String(endpoint['endpointId']));
    problems.push(...reported.problems);
  }
  context.results.expect('v2.report-state', title, problems);
}

/** One ReportState: its problems, and the states by interface. */
export async function reportState(
  context: V2Context,
  endpointId: string,
): Promise<{ problems: string[]; states: Record<string, unknown> }> {
  const message = directive('Rokid.Query', 'ReportState', authorizationOf(context.options), { endpointId });
  const answer = await send(context, `ReportState ${endpointId}`, message);
  const problems = replyProblems(answer, { name: 'Response', messageId: message.header.messageId }).map((p) => `${endpointId}: ${p}`);
  return { problems: problems.length > 0 ? problems : responseProblems(answer, endpointId), states: statesOf(answer) };
}

/** A Response's endpoint: the one asked about, with states that follow the docs. */
export function responseProblems(answer: { json: unknown }, endpointId: string): string[] {
  const endpoint = field(answer.json, 'endpoint');
  if (!isRecord(endpoint) || endpoint['endpointId'] !== endpointId)
    return [`${endpointId}: the Response's endpoint.endpointId is not the one asked about`];
  if (!Array.isArray(endpoint['states'])) return [`${endpointId}: the Response's endpoint has no states array`];
  return endpoint['states'].flatMap((state: unknown) => stateProblems(state, endpointId));
}

export function statesOf(answer: { json: unknown }): Record<string, unknown> {
  return Object.fromEntries(records(field(answer.json, 'endpoint', 'states')).map((s) => [String(s['interface']), s['value']]));
}
