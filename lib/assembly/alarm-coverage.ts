/**
 * Alarms against what is really emitted. An alarm on the driver's own namespace must watch a metric, by
 * name and dimensions, that a function wrote as EMF; an alarm on an AWS namespace must name, in each
 * dimension, a resource of the template of the kind that dimension means.
 */
import type { EmittedMetric } from './lambda-host.ts';
import { type CloudAssembly, type Physical, referencedId, resolve, resourcesOfType } from './template.ts';

/** Which resource type each AWS dimension names. */
const AWS_DIMENSIONS: Record<string, string> = {
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
  for (const watched of watchedMetrics(assembly, physical)) {
    if (watched.namespace === ownNamespace) {
      if (!emitted.some((metric) => sameMetric(metric, watched))) report.withoutEmitter.push(watched);
      continue;
    }
    if (!watched.namespace.startsWith('AWS/')) {
      report.badDimensions.push({
        alarm: watched.alarm,
        dimension: '',
        problem: `namespace ${watched.namespace} is neither the driver's nor AWS's`,
      });
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

/** The same metric as CloudWatch would aggregate it: namespace, name and exactly the same dimensions. */
function sameMetric(metric: EmittedMetric, watched: WatchedMetric): boolean {
  const keys = Object.keys(watched.dimensions);
  return (
    metric.namespace === watched.namespace &&
    metric.name === watched.name &&
    Object.keys(metric.dimensions).length === keys.length &&
    keys.every((key) => metric.dimensions[key] === watched.dimensions[key])
  );
}
