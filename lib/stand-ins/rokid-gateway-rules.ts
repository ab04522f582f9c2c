/**
 * What Rokid's EventGateway stand-in (rokid-events.ts) checks of an event, as the digest reads the docs: the header
 * (namespace and name as notify.md pairs them, messageId, payloadVersion "v1", a BearerToken authorization, the same
 * token as the Authorization header), the endpoint and every state, by the v2 conformance rules.
 */
import { isRecord } from '../../functions/domain/json.ts';
import { endpointProblems, stateProblems } from '../conformance/v2/rules.ts';

/** notify.md's namespace for each event name (contradiction 8). */
const NAMESPACES: Record<string, string> = {
  ChangeReport: 'Rokid',
  AddOrUpdateReport: 'Rokid.Discovery',
  DeleteReport: 'Rokid.Discovery',
};

/**
 * What the gateway refuses before it looks at the token: 400 for a message not in the documented format, 422 for
 * one in the format that names what cannot be processed (an endpoint or a state the docs do not allow).
 */
export function gatewayVerdict(message: unknown, authorizationHeader = ''): { status: 400 | 422; problems: string[] } | undefined {
  if (!isRecord(message) || !isRecord(message['header'])) return { status: 400, problems: ['the body is not a JSON object with a header'] };
  const header = message['header'];
  const problems: string[] = [];
  const name = String(header['name']);
  if (!(name in NAMESPACES))
    problems.push(`header.name ${JSON.stringify(header['name'])} is not ChangeReport, AddOrUpdateReport or DeleteReport`);
  else if (header['namespace'] !== NAMESPACES[name])
    problems.push(`header.namespace of ${name} is ${NAMESPACES[name]}, not ${JSON.stringify(header['namespace'])}`);
  if (typeof header['messageId'] !== 'string' || header['messageId'] === '') problems.push('header.messageId is missing');
  if (header['payloadVersion'] !== 'v1') problems.push('header.payloadVersion is not "v1"');
  const authorization = header['authorization'];
  if (
    !isRecord(authorization) ||
    authorization['type'] !== 'BearerToken' ||
    typeof authorization['token'] !== 'string' ||
    authorization['token'] === ''
  ) {
    problems.push('header.authorization is not {type: "BearerToken", token}');
  } else if (authorizationHeader !== '' && authorizationHeader !== `Bearer ${authorization['token']}`) {
    problems.push('the Authorization header and header.authorization carry different tokens');
  }
  const payload = message['payload'];
  if (!isRecord(payload)) problems.push('payload is not an object');
  if (problems.length > 0) return { status: 400, problems };
  const body = payload as Record<string, unknown>;
  const unprocessable: string[] = [];
  if (name === 'ChangeReport') {
    const endpoint = message['endpoint'];
    if (!isRecord(endpoint) || typeof endpoint['endpointId'] !== 'string' || !Array.isArray(endpoint['states'])) {
      return { status: 400, problems: ['a ChangeReport needs endpoint {endpointId, additionalInfo, states[]}'] };
    }
    const change = body['change'];
    if (
      !isRecord(change) ||
      !isRecord(change['cause']) ||
      typeof change['cause']['type'] !== 'string' ||
      !Array.isArray(change['states'])
    ) {
      return { status: 400, problems: ['a ChangeReport needs payload.change {cause: {type}, states[]} (notify.md)'] };
    }
    if (change['states'].length === 0) unprocessable.push('payload.change.states is empty: nothing changed');
    for (const state of [...endpoint['states'], ...change['states']]) unprocessable.push(...stateProblems(state, endpoint['endpointId']));
  } else {
    const endpoints = body['endpoints'];
    if (!Array.isArray(endpoints) || endpoints.length === 0) return { status: 400, problems: [`a ${name} needs payload.endpoints[]`] };
    for (const endpoint of endpoints) {
      if (!isRecord(endpoint) || typeof endpoint['endpointId'] !== 'string')
        return { status: 400, problems: ['an endpoint has no endpointId'] };
      if (name === 'AddOrUpdateReport') unprocessable.push(...endpointProblems(endpoint));
    }
  }
  return unprocessable.length > 0 ? { status: 422, problems: unprocessable } : undefined;
}
