/**
 * Alarms against what is really emitted. An alarm on the driver's own namespace must watch a metric, by
 * name and dimensions, that a function wrote as EMF; an alarm on a namespace one of the template's metric
 * filters publishes to, a metric that filter drew from the access log lines of the run (metric-filters.ts);
 * an alarm on an AWS namespace must name, in each dimension, a resource of the template of the kind that
 * dimension means. dashboard-coverage.ts holds the dashboard's widgets to the same rules.
 */
import type { EmittedMetric } from './lambda-host.ts';
import { filterNamespaces } from './metric-filters.ts';
import { type CloudAssembly, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

/** Which resource type each AWS dimension names. */
export const AWS_DIMENSIONS: Record<string, string> = {
  FunctionName: 'AWS::Lambda::Function',
  ApiId: 'AWS::ApiGatewayV2::Api',
  QueueName: 'AWS::SQS::Queue',
  TableName: 'AWS::DynamoDB::Table',
};

export interface WatchedMetric {
  alarm: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

export interface AlarmReport {
  /** Alarms on the driver's namespace whose metric nobody emitted. */
  withoutEmitter: WatchedMetric[];
  /** Alarms on AWS namespaces with a dimension that names no resource of the right kind. */
  badDimensions: { alarm: string; dimension: string; problem: string }[];
}

/** Every alarm's metric, with its dimensions resolved. */
export function watchedMetrics(assembly: CloudAssembly, physical: Physical): WatchedMetric[] {
  return resourcesOfType(assembly, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => {
    const props = alarm.Properties ?? {};
    if (!props['MetricName']) throw new Error(`alarm ${id} has no single metric; the harness reads MetricName alarms only`);
    const dimensions = Object.fromEntries(
      (props['Dimensions'] ?? []).map((d: { Name: string; Value: unknown }) => [d.Name, String(resolve(d.Value, physical))]),
    );
    return { alarm: id, namespace: props['Namespace'], name: props['MetricName'], dimensions };
  });
}

export function checkAlarms(assembly: CloudAssembly, physical: Physical, emitted: EmittedMetric[], ownNamespace: string): AlarmReport {
  const report: AlarmReport = { withoutEmitter: [], badDimensions: [] };
  const counted = countedNamespaces(assembly, ownNamespace);
  for (const watched of watchedMetrics(assembly, physical)) {
    if (counted.has(watched.namespace)) {
      if (!wasEmitted(watched, emitted)) report.withoutEmitter.push(watched);
      continue;
    }
    if (!watched.namespace.startsWith('AWS/')) {
      report.badDimensions.push({ alarm: watched.alarm, dimension: '', problem: notCounted(watched.namespace) });
      continue;
    }
    const raw = (assembly.resources[watched.alarm]?.Properties?.['Dimensions'] ?? []) as { Name: string; Value: unknown }[];
    for (const { Name, Value } of raw) {
      const expected = AWS_DIMENSIONS[Name];
      const target = assembly.resources[referencedId(Value) ?? ''];
      const problem = !expected
        ? `the harness does not know what ${Name} names`
        : !target
          ? `${Name} is not a reference to a resource of the template`
          : target.Type !== expected
            ? `${Name} names a ${target.Type}, not a ${expected}`
            : undefined;
      if (problem) report.badDimensions.push({ alarm: watched.alarm, dimension: Name, problem });
    }
  }
  return report;
}

/** The namespaces whose metrics must have been emitted in the run: the driver's own, and the metric filters'. */
export const countedNamespaces = (assembly: CloudAssembly, ownNamespace: string) => new Set([ownNamespace, ...filterNamespaces(assembly)]);

export const notCounted = (namespace: string) => `namespace ${namespace} is neither the driver's, a metric filter's, nor AWS's`;

/** Whether something emitted the same metric as CloudWatch would aggregate it: namespace, name and exactly the same dimensions. */
export function wasEmitted(watched: Omit<WatchedMetric, 'alarm'>, emitted: EmittedMetric[]): boolean {
  return emitted.some((metric) => sameMetric(metric, watched));
}

function sameMetric(metric: EmittedMetric, watched: Omit<WatchedMetric, 'alarm'>): boolean {
  const keys = Object.keys(watched.dimensions);
  return (
    metric.namespace === watched.namespace &&
    metric.name === watched.name &&
    Object.keys(metric.dimensions).length === keys.length &&
    keys.every((key) => metric.dimensions[key] === watched.dimensions[key])
  );
}
