/**
 * The HTTP API's access log, and the latency it yields per route. A metric filter turns each line into a
 * `latency` datum in ACCESS_LOG_NAMESPACE, by API and route: the route alarms (alarms.ts) and the dashboard
 * read it. The deployed-assembly harness renders this same format for every request it answers
 * (lib/assembly/access-log.ts), so the filter is checked against the lines it would really see.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Metric, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const ACCESS_LOG_NAMESPACE = 'HomebaseDriver/AccessLog';
export const LATENCY_METRIC = 'latency';

/**
 * One JSON object a line. `latencyMs` is `$context.responseLatency`, from API Gateway receiving the request
 * to its answer: the gateway's own time and a cold start count, where `$context.integrationLatency` (and
 * Lambda's Duration) leave the gateway out. It is written as a bare number, so that the filter's numeric
 * pattern matches it and its value is the metric's; `apiId` keeps two deployments' metrics apart.
 */
export function accessLogFormat(): string {
  const fields = {
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    time: '$context.requestTime',
    route: '$context.routeKey',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
    apiId: '$context.apiId',
  };
  return JSON.stringify(fields).replace('"$context.responseLatency"', '$context.responseLatency');
}

/** The latency metric filter on the access log, and the metric it publishes for each route. */
export class RouteLatency extends Construct {
  readonly #api: HttpApi;

  constructor(scope: Construct, id: string, props: { logGroup: ILogGroup; api: HttpApi }) {
    super(scope, id);
    this.#api = props.api;
    new MetricFilter(this, 'LatencyFilter', {
      logGroup: props.logGroup,
      filterPattern: FilterPattern.literal('{ $.latencyMs >= 0 }'),
      metricNamespace: ACCESS_LOG_NAMESPACE,
      metricName: LATENCY_METRIC,
      metricValue: '$.latencyMs',
      dimensions: { api: '$.apiId', route: '$.route' },
      unit: Unit.MILLISECONDS,
    });
  }

  /** A route's latency in milliseconds, by its route key (`POST /v2`), as `statistic` over one-minute periods. */
  metric(routeKey: string, statistic: 'p50' | 'p99'): Metric {
    return new Metric({
      namespace: ACCESS_LOG_NAMESPACE,
      metricName: LATENCY_METRIC,
      dimensionsMap: { api: this.#api.apiId, route: routeKey },
      statistic,
      period: Duration.minutes(1),
    });
  }
}
