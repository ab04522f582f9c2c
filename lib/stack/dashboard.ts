/**
 * The driver's health at a glance: one CloudWatch dashboard, named after the stack. docs/operations.md
 * ("The dashboard") says what each section shows. Every widget watches a metric something emits: the
 * deployed-assembly test checks it (lib/assembly/dashboard-coverage.ts).
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IMetric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { FunctionName } from '../functions.ts';
import type { RouteLatency } from './access-log.ts';
import { LATENCY_ALARMS } from './alarms.ts';
import { driverMetric, unexpectedErrors } from './driver-metrics.ts';
import type { EventQueues } from './event-queues.ts';

/** Rokid's budget for a v2 answer: past it, Rokid tells the user the device did not answer. */
const V2_BUDGET_MS = 3000;

/**
 * The routes drawn, in order: Homebase's device calls first, then linking, then the device cloud's reports. Not
 * the legacy /get (only Rokid's rhome CLI calls it) nor the browser routes, which go at a person's pace.
 */
export const DASHBOARD_ROUTES = ['POST /v2', 'POST /list', 'POST /execute', 'POST /command', 'POST /oauth2/token', 'POST /device-events'];

export interface DriverDashboardProps {
  functions: Record<FunctionName, IFunction>;
  latency: RouteLatency;
  events: EventQueues;
}

export class DriverDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** Where the dashboard opens in the console. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DriverDashboardProps) {
    super(scope, id);
    const name = Stack.of(this).stackName;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: name, defaultInterval: Duration.hours(3) });
    this.url = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${name}`;
    const fiveMinutes = Duration.minutes(5);
    const count = (metricName: string, label: string) => driverMetric(metricName, fiveMinutes, label);
    const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });
    const section = (markdown: string) => new TextWidget({ markdown, width: 24, height: 1 });

    this.dashboard.addWidgets(section("## Latency by route, from the API's access log (gateway time and cold starts included)"));
    this.dashboard.addWidgets(
      ...DASHBOARD_ROUTES.map((route) => {
        const alarmed = route in LATENCY_ALARMS.routes;
        return new GraphWidget({
          title: `${route}: p50 and p99 (ms)`,
          left: (['p50', 'p99'] as const).map((statistic) => props.latency.metric(route, statistic).with({ label: statistic })),
          leftAnnotations: [
            ...(route === 'POST /v2' ? [{ value: V2_BUDGET_MS, label: "Rokid's 3 s budget" }] : []),
            ...(alarmed ? [{ value: LATENCY_ALARMS.thresholdMs, label: 'alarm: p99 over 2 s in 3 of 5 minutes' }] : []),
          ],
          width: 8,
          height: 6,
        });
      }),
    );

    this.dashboard.addWidgets(section('## Functions: invocations, errors and throttles (sum per 5 minutes); duration p50 and p99 (ms)'));
    this.dashboard.addWidgets(
      ...Object.entries(props.functions).map(
        ([name, f]) =>
          new GraphWidget({
            title: name,
            left: [
              f.metricInvocations({ period: fiveMinutes, label: 'invocations' }),
              f.metricErrors({ period: fiveMinutes, label: 'errors' }),
              f.metricThrottles({ period: fiveMinutes, label: 'throttles' }),
            ],
            right: [
              f.metricDuration({ period: fiveMinutes, statistic: 'p50', label: 'duration p50' }),
              f.metricDuration({ period: fiveMinutes, statistic: 'p99', label: 'duration p99' }),
            ],
            width: 8,
            height: 6,
          }),
      ),
    );

    this.dashboard.addWidgets(section('## Failures of its own, state reports, links and sign-ins (sums per 5 minutes)'));
    const reporting = Object.entries(props.functions).filter(([name]) => name !== 'refresh');
    this.dashboard.addWidgets(
      graph(
        'Unexpected errors (answered E_DRIVER_ERROR / E_INTERNAL_ERROR)',
        reporting.map(([name, f]) => unexpectedErrors(f, name)),
      ),
      graph('Events sent, retried and dead-lettered', [
        count('events_sent', 'sent'),
        count('events_retried', 'retried'),
        count('events_dead_lettered', 'dead-lettered'),
      ]),
      graph('Events queue: age of the oldest event (s)', [
        props.events.queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum', label: 'oldest (s)' }),
      ]),
      graph('Refresh outcomes', [
        count('refreshed', 'refreshed'),
        count('transient_failure', 'failed, kept'),
        count('needs_relink', 'needs relink'),
      ]),
      graph('State-report grants opened and ended', [count('grants_accepted', 'opened'), count('grants_ended', 'ended')]),
      graph('Sign-ins throttled', [count('sign_ins_throttled', 'refused')]),
    );
  }
}
