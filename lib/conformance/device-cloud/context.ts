/**
 * A device-cloud conformance run's shared state: the cloud's base URL, the credentials the driver would send,
 * how long each answer took, and every error answer seen (for the check of their bodies).
 */
import { ACTING_FOR_HEADER, encodeUserIdHeader } from '../../../functions/adapters/device-cloud/user-id-header.ts';
import { isRecord } from '../../../functions/domain/json.ts';
import type { Answer, DriverClient } from '../driver-client.ts';
import { UnreachableError } from '../driver-client.ts';
import type { Results } from '../results.ts';

/** How the run proves whose devices it asks for: as the driver does for a linked user, or for a JWT user and state reports. */
export type CloudCredentials = { kind: 'upstream'; token: string } | { kind: 'service'; token: string; userId: string };

export interface DeviceCloudOptions {
  credentials: CloudCredentials;
  /** What the driver gives each call (DEVICE_CLOUD_TIMEOUT_MS). */
  timeoutMs: number;
}

export interface CloudContext {
  client: DriverClient;
  results: Results;
  options: DeviceCloudOptions;
  /** Whether actions may be sent (loopback, or --execute). */
  execute: boolean;
  /** Every error answer (4xx, 5xx), where it was asked. */
  errors: { where: string; answer: Answer }[];
  /** Every call that took longer than the timeout, and how long. */
  slow: string[];
  /** Whether the cloud has answered once: after that, a call that gets no answer is a finding, not an unreachable URL. */
  reached: boolean;
}

/** The headers a call carries: the run's credentials, others (a forged token, none at all) when a check says so. */
export function authHeaders(credentials: CloudCredentials | undefined): Record<string, string> {
  if (!credentials) return {};
  const authorization = { authorization: `Bearer ${credentials.token}` };
  return credentials.kind === 'service' ? { ...authorization, [ACTING_FOR_HEADER]: encodeUserIdHeader(credentials.userId) } : authorization;
}

type Call = { method: 'GET' } | { method: 'POST'; body: unknown };

/** One call to the cloud, timed; an error answer is kept for the body check. */
export async function call(
  context: CloudContext,
  where: string,
  path: string,
  headers: Record<string, string>,
  how: Call,
): Promise<Answer> {
  const started = performance.now();
  let answer: Answer;
  try {
    answer = how.method === 'GET' ? await context.client.get(path, headers) : await context.client.post(path, how.body, { headers });
  } catch (error) {
    if (!(error instanceof UnreachableError) || !context.reached) throw error;
    context.slow.push(`${where}: no answer (${error.message})`);
    return { status: 0, contentType: '', text: '', json: undefined };
  }
  context.reached = true;
  const ms = Math.round(performance.now() - started);
  if (ms > context.options.timeoutMs) context.slow.push(`${where} took ${ms} ms`);
  if (answer.status >= 400) context.errors.push({ where, answer });
  return answer;
}

/** The devices of a GET /devices answer, or undefined when it is not `{"devices": [...]}`. */
export const devicesOf = (answer: Answer): unknown[] | undefined =>
  answer.status === 200 && isRecord(answer.json) && Array.isArray(answer.json['devices']) ? answer.json['devices'] : undefined;

/** How an answer is named in a finding: its status, or that none came (a call cut off after the cloud had answered others). */
export const statusOf = (answer: Answer): string => (answer.status === 0 ? 'no answer' : `HTTP ${answer.status}`);
