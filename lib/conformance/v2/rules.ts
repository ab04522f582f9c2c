/**
 * What a v2 answer must be, from Rokid's docs as the digest gives them (shared/docs/homebase-v2.md,
 * sections 2, 5 and 6), written here apart from the driver's own code so that a check can catch it out.
 * What only rhome 2.0.8's older, stricter schemas refuse is a warning (section 8), never a failure.
 */
import { isRecord } from '../../../functions/domain/json.ts';
import type { Answer } from '../driver-client.ts';

/** Interfaces, their operations, and the kind of value their state holds (docs v2/rokid-interface.md). */
export const INTERFACES: Record<string, { operations: string[]; value: 'percent' | 'number' | 'enum' | 'descriptor' }> = {
  Switch: { operations: ['On', 'Off'], value: 'enum' },
  MotionSwitch: { operations: ['On', 'Off'], value: 'enum' },
  Position: { operations: ['Set', 'Adjust'], value: 'percent' },
  Color: { operations: ['Set', 'SetRandom'], value: 'number' },
  ColorTemperature: { operations: ['Set', 'SetMax', 'SetMin', 'Adjust'], value: 'percent' },
  Brightness: { operations: ['Set', 'SetMax', 'SetMin', 'Adjust'], value: 'percent' },
  Mode: { operations: ['Auto', 'Manual', 'Cool', 'Heat', 'Dry', 'Fan', 'Silent', 'Energy', 'Sleep'], value: 'enum' },
  SwingMode: { operations: ['Auto', 'On', 'Off', 'Horizon', 'HorizonOff', 'Vertical', 'VerticalOff'], value: 'enum' },
  Humidity: { operations: ['Set', 'SetMax', 'SetMin', 'Adjust'], value: 'percent' },
  Temperature: { operations: ['Set', 'SetMax', 'SetMin', 'Adjust'], value: 'number' },
  FanSpeed: { operations: ['Set', 'SetMax', 'SetMin', 'Adjust', 'SetHigh', 'SetLow', 'SetMedium'], value: 'percent' },
  Mute: { operations: ['On', 'Off'], value: 'enum' },
  Volume: { operations: ['Set', 'SetMax', 'SetMin', 'Adjust'], value: 'percent' },
  'Media.TVChannel': { operations: ['Next', 'Previous', 'Set'], value: 'descriptor' },
  'Media.Music': { operations: ['Next', 'Previous', 'Stop', 'Set'], value: 'descriptor' },
  PlaybackControl: { operations: ['Play', 'Pause'], value: 'enum' },
  PlaybackMode: { operations: ['RepeatAll', 'RepeatOne', 'Shuffle', 'Order'], value: 'enum' },
};

/** endpoint-type.md at HEAD: 41 display types. */
export const DISPLAY_TYPES = new Set(
  'atomizedGlass heater airer alarm waterDetector feeder windowPusher ventilation stb bridge floorHeater refrigerator waterHeater lampblackMachine washingMachine gasStove heatingFurnace wineCabinet rokid tvBox box unknown speaker door humidifier thermostat dehumidifier projector cleanBot scene airPurifier ac remoteController fan tv panel curtain irController socket switch light'.split(
    ' ',
  ),
);

/** rhome 2.0.8's 27 display types and 15 interfaces (jsonschema/v2-definitions.json). */
const RHOME_DISPLAY_TYPES = new Set(
  'curtain light irController socket switch panel tv fan remoteController ac airPurifier scene cleanBot projector dehumidifier humidifier thermostat door floorHeater refrigerator waterHeater lampblackMachine washingMachine gasStove heatingFurnace wineCabinet speaker'.split(
    ' ',
  ),
);
const RHOME_LACKS_INTERFACES = new Set(['MotionSwitch', 'Mute']);

export const ERROR_NAMES = new Set([
  'E_AUTHORIZATION_EXPIRED',
  'E_INVALID_AUTHORIZATION',
  'E_NO_SUCH_ENDPOINT',
  'E_NOT_SUPPORTED_DIRECTIVE',
  'E_VALUE_OUT_OF_RANGE',
  'E_ENDPOINT_BUSY',
  'E_CHANNEL_NOT_FOUND',
  'E_INTERNAL_ERROR',
  'E_ENDPOINT_UNBOUND',
  'E_ENDPOINT_NEEDS_UPGRADE',
  'E_ENDPOINT_UNREACHABLE',
  'E_ENDPOINT_INITIATING',
  'E_GATEWAY_UNREACHABLE',
  'E_SERVER_UNREACHABLE',
  'E_MEDIA_RESOURCE_NOT_FOUND',
  'E_MEDIA_FAVORITE_NOT_FOUND',
  'E_MEDIA_NO_PREV',
  'E_MEDIA_NO_NEXT',
]);

/** RFC 3339 in UTC, as rhome's `date-time` format and the docs' fixed example have it. */
const TIME_OF_SAMPLE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export const labelOf = (endpoint: unknown) =>
  isRecord(endpoint) && typeof endpoint['endpointId'] === 'string' ? endpoint['endpointId'] : JSON.stringify(endpoint)?.slice(0, 40);

/**
 * Problems with a reply's transport and header: HTTP 200 with JSON (the docs name no status and rhome takes
 * only 200), namespace `Rokid`, the name expected, `payloadVersion` "v1", the request's messageId, no authorization.
 */
export function replyProblems(answer: Answer, expected: { name: string | string[]; messageId?: string }): string[] {
  if (answer.json === undefined) return [`HTTP ${answer.status} with a body that is not JSON`];
  const problems = answer.status === 200 ? [] : [`HTTP ${answer.status}, not 200`];
  const body = answer.json;
  if (!isRecord(body) || !isRecord(body['header'])) return [...problems, 'the reply has no header object'];
  const header = body['header'];
  const names = typeof expected.name === 'string' ? [expected.name] : expected.name;
  if (!names.includes(String(header['name']))) {
    const error =
      header['name'] === 'ErrorResponse' && isRecord(body['payload'])
        ? ` (${String(body['payload']['name'])}: ${String(body['payload']['message'])})`
        : '';
    problems.push(`header.name is ${JSON.stringify(header['name'])}, not ${names.join(' or ')}${error}`);
  }
  if (header['namespace'] !== 'Rokid') problems.push(`header.namespace is ${JSON.stringify(header['namespace'])}, not "Rokid"`);
  if (header['payloadVersion'] !== 'v1') problems.push(`header.payloadVersion is ${JSON.stringify(header['payloadVersion'])}, not "v1"`);
  if (typeof header['messageId'] !== 'string' || header['messageId'] === '') problems.push('header.messageId is missing');
  else if (expected.messageId !== undefined && header['messageId'] !== expected.messageId)
    problems.push('header.messageId does not echo the request’s');
  if ('authorization' in header) problems.push('the reply carries header.authorization, which replies omit');
  return problems;
}

/** An ErrorResponse's payload: a name from error-response.md and three more strings, and no endpoint. */
export function errorResponseProblems(answer: Answer, expectedName?: string): string[] {
  const problems = replyProblems(answer, { name: 'ErrorResponse' });
  if (problems.length > 0) return problems;
  const body = answer.json as Record<string, unknown>;
  const payload = isRecord(body['payload']) ? body['payload'] : {};
  if (!ERROR_NAMES.has(String(payload['name'])))
    problems.push(`payload.name ${JSON.stringify(payload['name'])} is not one of error-response.md's`);
  else if (expectedName !== undefined && payload['name'] !== expectedName)
    problems.push(`payload.name is ${String(payload['name'])}, not ${expectedName}`);
  for (const field of ['vendorCode', 'message', 'debugInfo']) {
    if (typeof payload[field] !== 'string') problems.push(`payload.${field} is not a string`);
  }
  if (/\n\s+at /.test(String(payload['message'])) || /\n\s+at /.test(String(payload['debugInfo'])))
    problems.push('the payload carries a stack trace');
  return problems;
}

/** An InterfaceState: a known interface, a value of its kind (never null), an RFC 3339 timeOfSample when given. */
export function stateProblems(state: unknown, where: string): string[] {
  if (!isRecord(state)) return [`${where}: a state is not an object`];
  const name = String(state['interface']);
  const spec = INTERFACES[name];
  if (!spec) return [`${where}: state interface ${JSON.stringify(state['interface'])} is not one of the docs'`];
  const problems: string[] = [];
  const value = state['value'];
  if (spec.value === 'percent' && !(typeof value === 'number' && value >= 0 && value <= 100))
    problems.push(`${where}: ${name} is ${JSON.stringify(value)}, not 0–100`);
  if (spec.value === 'number' && typeof value !== 'number') problems.push(`${where}: ${name} is ${JSON.stringify(value)}, not a number`);
  if (spec.value === 'enum' && !spec.operations.includes(String(value)))
    problems.push(`${where}: ${name} is ${JSON.stringify(value)}, not one of its operations`);
  if (spec.value === 'descriptor' && !isRecord(value))
    problems.push(`${where}: ${name} is ${JSON.stringify(value)}, not a descriptor object`);
  if (state['timeOfSample'] !== undefined && !TIME_OF_SAMPLE.test(String(state['timeOfSample']))) {
    problems.push(`${where}: timeOfSample ${JSON.stringify(state['timeOfSample'])} is not ISO 8601 UTC (2018-03-15T18:00:00.000Z)`);
  }
  return problems;
}

/** An endpoint in a DiscoveryResponse (docs v2/endpoint.md, and the digest's readings 1, 2 and 13). */
export function endpointProblems(endpoint: unknown): string[] {
  const where = labelOf(endpoint);
  if (!isRecord(endpoint)) return [`${where}: not an object`];
  const problems: string[] = [];
  if (typeof endpoint['endpointId'] !== 'string' || endpoint['endpointId'] === '') problems.push(`${where}: endpointId missing`);
  if (!DISPLAY_TYPES.has(String(endpoint['displayType'])))
    problems.push(`${where}: displayType ${JSON.stringify(endpoint['displayType'])} is not one of endpoint-type.md's`);
  if (typeof endpoint['displayName'] !== 'string' || endpoint['displayName'] === '') problems.push(`${where}: displayName missing`);
  if (endpoint['offline'] !== undefined && typeof endpoint['offline'] !== 'boolean') problems.push(`${where}: offline is not a boolean`);
  problems.push(...additionalInfoProblems(endpoint['additionalInfo'], where));
  const capabilities = Array.isArray(endpoint['capabilities']) ? endpoint['capabilities'] : [];
  if (!Array.isArray(endpoint['capabilities'])) problems.push(`${where}: capabilities is not an array`);
  for (const capability of capabilities) {
    if (!isRecord(capability)) {
      problems.push(`${where}: a capability is not an object`);
      continue;
    }
    const spec = INTERFACES[String(capability['interface'])];
    if (!spec) problems.push(`${where}: interface ${JSON.stringify(capability['interface'])} is not one of the docs'`);
    if (capability['version'] !== 'v1')
      problems.push(`${where}: ${String(capability['interface'])} has no version "v1" (rhome requires it)`);
    const operations = capability['supportedOperations'];
    if (!Array.isArray(operations) || operations.length === 0)
      problems.push(`${where}: ${String(capability['interface'])} lists no supportedOperations`);
    else
      for (const op of operations)
        if (spec && !spec.operations.includes(String(op)))
          problems.push(`${where}: ${String(capability['interface'])} has no operation ${JSON.stringify(op)}`);
    for (const [a, b] of [
      ['isRetrievable', 'retrievable'],
      ['isProactivelyReported', 'proactivelyReported'],
    ] as const) {
      for (const flag of [a, b])
        if (capability[flag] !== undefined && typeof capability[flag] !== 'boolean') problems.push(`${where}: ${flag} is not a boolean`);
      if (capability[a] !== undefined && capability[b] !== undefined && capability[a] !== capability[b])
        problems.push(`${where}: ${a} and ${b} disagree`);
    }
  }
  const states = Array.isArray(endpoint['states']) ? endpoint['states'] : [];
  for (const state of states) problems.push(...stateProblems(state, where));
  return problems;
}

function additionalInfoProblems(info: unknown, where: string): string[] {
  if (info === undefined) return [];
  if (!isRecord(info)) return [`${where}: additionalInfo is not an object`];
  const problems: string[] = [];
  const entries = Object.entries(info);
  if (entries.length > 100) problems.push(`${where}: additionalInfo has ${entries.length} keys (at most 100)`);
  for (const [key, value] of entries) {
    if (key.includes('.')) problems.push(`${where}: additionalInfo key "${key}" has a "."`);
    const scalar = typeof value === 'boolean' || typeof value === 'number' || (typeof value === 'string' && value.length <= 999);
    if (!scalar) problems.push(`${where}: additionalInfo.${key} is not a number, boolean or string of at most 999 characters`);
  }
  return problems;
}

/** What rhome 2.0.8 alone would refuse in a discovered endpoint (the digest's section 8): warnings. */
export function rhomeEndpointWarnings(endpoint: unknown): string[] {
  if (!isRecord(endpoint)) return [];
  const where = labelOf(endpoint);
  const warnings: string[] = [];
  if ('recommendHomeName' in endpoint) warnings.push(`${where}: recommendHomeName (rhome's endpoint schema predates it)`);
  if (!RHOME_DISPLAY_TYPES.has(String(endpoint['displayType'])))
    warnings.push(`${where}: displayType ${String(endpoint['displayType'])} (not among rhome's 27)`);
  const capabilities = Array.isArray(endpoint['capabilities']) ? endpoint['capabilities'] : [];
  for (const c of capabilities)
    if (isRecord(c) && RHOME_LACKS_INTERFACES.has(String(c['interface'])))
      warnings.push(`${where}: ${String(c['interface'])} (rhome lacks it)`);
  return warnings;
}
