/** The Homebase envelope, as the protocol digest describes it (§1, §4): what every answer must look like. */
import { isErrorName } from '../../functions/domain/errors.ts';
import { isRecord } from '../../functions/domain/json.ts';
import type { Answer } from './driver-client.ts';

/**
 * Problems with an answer's transport: a 5xx or a page instead of JSON is a failure; another status
 * with a JSON envelope is a warning, since rhome (and so Homebase's own tools) throws on anything but 200.
 */
export function transportProblems(answer: Answer): { problems: string[]; warnings: string[] } {
  if (answer.json === undefined) {
    const kind = /html/i.test(answer.contentType) || /^\s*</.test(answer.text) ? 'an HTML page' : 'a body that is not JSON';
    return { problems: [`HTTP ${answer.status} with ${kind}`], warnings: [] };
  }
  if (answer.status >= 500) return { problems: [`HTTP ${answer.status}`], warnings: [] };
  return { problems: [], warnings: answer.status === 200 ? [] : [`HTTP ${answer.status} (rhome needs 200 for every answer)`] };
}

/** Problems with a success envelope: `{status: 0, data}`. */
export function successProblems(answer: Answer): string[] {
  const transport = transportProblems(answer).problems;
  if (transport.length > 0) return transport;
  const body = answer.json;
  if (!isRecord(body)) return ['the body is not a JSON object'];
  if (body['status'] !== 0) {
    const reason = typeof body['message'] === 'string' ? `: ${body['errorName'] ?? ''} ${body['message']}`.trimEnd() : '';
    return [`status is ${JSON.stringify(body['status'])}, not 0${reason}`];
  }
  return [];
}

/** Problems with an error envelope: status a positive integer, errorName from the protocol's list, a message. */
export function errorEnvelopeProblems(answer: Answer): string[] {
  const transport = transportProblems(answer).problems;
  if (transport.length > 0) return transport;
  const body = answer.json;
  if (!isRecord(body)) return ['the body is not a JSON object'];
  const problems: string[] = [];
  const status = body['status'];
  if (status === 0) return ['status is 0: the driver answered success'];
  if (typeof status !== 'number' || !Number.isInteger(status) || status <= 0)
    problems.push(`status is ${JSON.stringify(status)}, not a positive integer`);
  if (!isErrorName(body['errorName'])) problems.push(`errorName ${JSON.stringify(body['errorName'])} is not one of the protocol's`);
  if (typeof body['message'] !== 'string' || body['message'].trim() === '') problems.push('message is missing or empty');
  return problems;
}

export const errorNameOf = (answer: Answer): unknown => (isRecord(answer.json) ? answer.json['errorName'] : undefined);
export const dataOf = (answer: Answer): unknown => (isRecord(answer.json) ? answer.json['data'] : undefined);
