/**
 * The dashboard against what is really emitted, by alarm-coverage.ts's rules: its body read as CloudFormation
 * would write it (the `Fn::Join` resolved through the local cloud's names), every metric of every widget
 * must be one a function emitted or a metric filter drew from the run's access log, or, on an AWS namespace,
 * name in each dimension a resource of the template of the kind that dimension means.
 */
import { AWS_DIMENSIONS, countedNamespaces, notCounted, wasEmitted } from './alarm-coverage.ts';
import type { EmittedMetric } from './lambda-host.ts';
import { type CloudAssembly, failWith, type Physical, resolve, resourcesOfType } from './template.ts';

export interface WidgetMetric {
  /** `<dashboard logical id>: <widget title>`. */
  widget: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

export interface DashboardReport {
  /** Widget metrics on a counted namespace (the driver's, a metric filter's) that nothing emitted. */
  withoutEmitter: WidgetMetric[];
  /** Widget metrics on AWS namespaces with a dimension that names no resource of the right kind, or on no known namespace. */
  badDimensions: { widget: string; metric: string; dimension: string; problem: string }[];
}

/** The attribute of a resource an AWS dimension holds, where it is not the resource's `Ref`. */
const DIMENSION_ATTRIBUTE: Record<string, string> = { QueueName: 'QueueName' };

/** Every metric every dashboard of the template draws. Widgets other than text and plain metrics fail loudly. */
export function dashboardMetrics(assembly: CloudAssembly, physical: Physical): WidgetMetric[] {
  const metrics: WidgetMetric[] = [];
  for (const [id, dashboard] of resourcesOfType(assembly, 'AWS::CloudWatch::Dashboard')) {
    const body = JSON.parse(String(resolve(dashboard.Properties?.['DashboardBody'], physical))) as { widgets: any[] };
    for (const widget of body.widgets) {
      const title = `${id}: ${widget.properties?.title ?? widget.type}`;
      if (widget.type === 'text') continue;
      if (widget.type !== 'metric') failWith(`${title} is a ${widget.type} widget; the check reads text and metric widgets only`);
      let previous: unknown[] = [];
      for (const entry of (widget.properties.metrics ?? []) as unknown[][]) {
        const options = typeof entry.at(-1) === 'object' ? 1 : 0;
        const path = entry.slice(0, entry.length - options);
        if (path.length < 2 || path.some((item) => typeof item !== 'string')) {
          failWith(`${title} draws an expression or a malformed metric; the check reads plain metrics only`);
        }
        // CloudWatch's shorthand: "." repeats the metric before it at that position.
        const full = path.map((item, i) => (item === '.' ? previous[i] : item)).map(String);
        previous = full;
        const [namespace = '', name = '', ...pairs] = full;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
        metrics.push({ widget: title, namespace, name, dimensions });
      }
    }
  }
  return metrics;
}

export function checkDashboards(
  assembly: CloudAssembly,
  physical: Physical,
  emitted: EmittedMetric[],
  ownNamespace: string,
): DashboardReport {
  const report: DashboardReport = { withoutEmitter: [], badDimensions: [] };
  const counted = countedNamespaces(assembly, ownNamespace);
  for (const watched of dashboardMetrics(assembly, physical)) {
    const bad = (dimension: string, problem: string) =>
      report.badDimensions.push({ widget: watched.widget, metric: `${watched.namespace} ${watched.name}`, dimension, problem });
    if (counted.has(watched.namespace)) {
      if (!wasEmitted(watched, emitted)) report.withoutEmitter.push(watched);
    } else if (!watched.namespace.startsWith('AWS/')) {
      bad('', notCounted(watched.namespace));
    } else {
      for (const [dimension, value] of Object.entries(watched.dimensions)) {
        const type = AWS_DIMENSIONS[dimension];
        if (!type) {
          bad(dimension, `the harness does not know what ${dimension} names`);
          continue;
        }
        const named = resourcesOfType(assembly, type).some(([id]) => physical(id, DIMENSION_ATTRIBUTE[dimension]) === value);
        if (!named) bad(dimension, `${dimension} ${value} names no ${type} of the template`);
      }
    }
  }
  return report;
}
