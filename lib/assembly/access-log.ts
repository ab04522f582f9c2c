/**
 * The API's access log as API Gateway would write it: for every request the local gateway answers, one line
 * in the stage's own format (AccessLogSettings.Format), its `$context` variables filled in, kept by the log
 * group the stage sends it to. The template's metric filters then run over these lines (metric-filters.ts).
 * A variable the harness cannot fill fails loudly, so a format change cannot slip past the check.
 */
import { randomUUID } from 'node:crypto';
import type { AccessRecord } from '../local/api-gateway.ts';
import { type CloudAssembly, failWith, type Physical, referencedId, resourcesOfType } from './template.ts';

export interface AccessLog {
  /** The lines written so far, by the logical id of their log group. */
  lines: Record<string, string[]>;
  write(answer: AccessRecord): void;
}

const VARIABLE = /\$context\.([A-Za-z][\w.]*\w)/g;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `$context.requestTime`'s format: 06/Dec/2026:16:20:00 +0000. */
function requestTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}`;
  return `${day}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
}

/** The values the harness knows of an answered request, by `$context` variable. */
function variables(answer: AccessRecord, apiId: string): Record<string, string> {
  return {
    requestId: randomUUID(),
    'identity.sourceIp': answer.sourceIp,
    requestTime: requestTime(new Date(Date.now() - answer.ms)),
    routeKey: answer.routeKey,
    status: String(answer.status),
    // From the gateway receiving the request to its answer, as API Gateway measures it.
    responseLatency: String(Math.round(answer.ms)),
    // The harness sees no integration error apart from the answer: a function that crashed is a 500 here.
    integrationErrorMessage: '-',
    apiId,
  };
}

export function accessLogOf(assembly: CloudAssembly, physical: Physical): AccessLog {
  const stages = resourcesOfType(assembly, 'AWS::ApiGatewayV2::Stage').filter(([, stage]) => stage.Properties?.['AccessLogSettings']);
  if (stages.length > 1) failWith('the local cloud serves one stage, and this template logs access for several');
  const lines: Record<string, string[]> = {};
  const [stage] = stages;
  if (!stage) return { lines, write: () => undefined };
  const [stageId, { Properties: props = {} }] = stage;
  const settings = props['AccessLogSettings'];
  const group = referencedId(settings.DestinationArn) ?? failWith(`stage ${stageId} logs access to something other than a log group`);
  if (assembly.resources[group]?.Type !== 'AWS::Logs::LogGroup') failWith(`stage ${stageId} logs access to ${group}, not a log group`);
  const format = typeof settings.Format === 'string' ? settings.Format : failWith(`stage ${stageId}'s access log format is not a string`);
  const apiId = physical(referencedId(props['ApiId']) ?? failWith(`stage ${stageId} names its API other than by Ref`));
  // Checked here, when the cloud starts, rather than at the first request.
  const fillable = Object.keys(variables({ method: '', path: '', routeKey: '', sourceIp: '', status: 0, ms: 0 }, apiId));
  for (const [, name] of format.matchAll(VARIABLE)) {
    if (!fillable.includes(name!)) failWith(`the harness does not fill $context.${name} in ${stageId}'s access log`);
  }
  const written: string[] = [];
  lines[group] = written;
  return {
    lines,
    write(answer) {
      const known = variables(answer, apiId);
      written.push(format.replace(VARIABLE, (_: string, name: string) => known[name]!));
    },
  };
}
