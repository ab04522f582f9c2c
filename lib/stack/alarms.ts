/** Alarms on everything that needs a person, all notifying one topic. docs/operations.md says what to do for each. */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '../functions.ts';
import type { RouteLatency } from './access-log.ts';
import { title } from './driver-functions.ts';
import { driverMetric, unexpectedErrors } from './driver-metrics.ts';
import type { EventQueues } from './event-queues.ts';
import { keepLogicalId } from './nag.ts';

export interface DriverAlarmsProps {
  key: IKey;
  email: string | undefined;
  functions: Record<FunctionName, IFunction>;
  api: HttpApi;
  refreshFailures: Queue;
  events: EventQueues;
  latency: RouteLatency;
}

/**
 * The routes that answer a voice command in progress, alarmed on their p99 latency from the access log:
 * past 2 s in 3 of 5 minutes, a second short of Rokid's 3-second budget. Quiet minutes (no request) do not count.
 */
export const LATENCY_ALARMS = {
  routes: { 'POST /v2': 'V2', 'POST /execute': 'Execute', 'POST /list': 'List' },
  thresholdMs: 2000,
  evaluationPeriods: 5,
  datapointsToAlarm: 3,
} as const;

export class DriverAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: DriverAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: 'homebase-driver alarms', masterKey: props.key, enforceSSL: true });
    keepLogicalId(this.topic, 'Alarms04B5A0BF');
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    const notify = new SnsAction(this.topic);
    const alarm = (alarmId: string, metric: Metric, threshold: number, description: string) => {
      new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(notify);
    };
    alarm(
      'RefreshFailuresAlarm',
      driverMetric('transient_failure', Duration.minutes(15)),
      20,
      'Upstream token refreshes are failing (timeouts, 5xx, 429 or a bad client secret). Links are kept and retried; check the upstream and the secret.',
    );
    alarm(
      'NeedsRelinkAlarm',
      driverMetric('needs_relink', Duration.hours(1)),
      10,
      'An unusual number of links were refused by the upstream and need a relink. Check for a revoked client or a provider-side incident.',
    );
    alarm(
      'RefreshTokenReplayAlarm',
      driverMetric('refresh_token_replayed', Duration.minutes(5)),
      1,
      'A driver refresh token was presented again after it had been replaced: a copy of it may be in other hands. The link was revoked; see docs/operations.md.',
    );
    alarm(
      'RefreshDeadLetters',
      props.refreshFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      'A scheduled refresh run failed outright; its event is in the RefreshFailures queue.',
    );
    // State reports (docs/operations.md, "State reports").
    alarm(
      'EventsDeadLetteredAlarm',
      driverMetric('events_dead_lettered', Duration.minutes(5)),
      1,
      "Rokid's gateway refused an event as malformed (400 or 422), or a queued message could not be read: it is in the EventDeadLetters queue. Never retried by itself.",
    );
    alarm(
      'EventsRetriedAlarm',
      driverMetric('events_retried', Duration.minutes(15)),
      50,
      "Events are not reaching Rokid (gateway 5xx, timeouts, refused connections): they are kept and retried for over an hour. Check Rokid's gateway and the consumer's logs.",
    );
    alarm(
      'GrantsEndedAlarm',
      driverMetric('grants_ended', Duration.hours(1)),
      5,
      "State-report grants ended: Rokid refused their tokens (invalid_grant, 403). Those users' events stop until they bind the skill again; a burst means a client credential problem.",
    );
    alarm(
      'GrantRefreshFailuresAlarm',
      driverMetric('grant_refresh_failed', Duration.minutes(15)),
      10,
      "Rokid's token endpoint is not refreshing event tokens (timeouts, 5xx, a bad client secret). Grants are kept and retried; check ROKID_EVENTS_CLIENT_SECRET.",
    );
    alarm(
      'EventsQueueAgeAlarm',
      props.events.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      900,
      'An event has waited over 15 minutes in the Events queue: the consumer is failing, throttled, or Rokid has been unreachable.',
    );
    alarm(
      'EventDeadLettersAlarm',
      props.events.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      1,
      'Events are in the EventDeadLetters queue: refused by Rokid as malformed, unreadable, or failing for over 90 minutes. See docs/operations.md to read and redrive them.',
    );
    for (const [name, f] of Object.entries(props.functions)) {
      if (name !== 'refresh') {
        alarm(
          `${title(name)}UnexpectedErrorsAlarm`,
          unexpectedErrors(f),
          3,
          `The ${name} function answered E_DRIVER_ERROR for failures of its own (DynamoDB, KMS, a bug) at least 3 times in 5 minutes.`,
        );
      }
      alarm(`${title(name)}ErrorsAlarm`, f.metricErrors({ period: Duration.minutes(5) }), 1, `The ${name} function threw or timed out.`);
      alarm(`${title(name)}ThrottlesAlarm`, f.metricThrottles({ period: Duration.minutes(5) }), 1, `The ${name} function was throttled.`);
    }
    alarm(
      'Api5xxAlarm',
      props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      5,
      'API Gateway answered 5xx: the driver itself answers every request with HTTP 200, so this is an integration failure.',
    );
    for (const [routeKey, name] of Object.entries(LATENCY_ALARMS.routes)) {
      new Alarm(this, `${name}LatencyAlarm`, {
        metric: props.latency.metric(routeKey, 'p99'),
        threshold: LATENCY_ALARMS.thresholdMs,
        evaluationPeriods: LATENCY_ALARMS.evaluationPeriods,
        datapointsToAlarm: LATENCY_ALARMS.datapointsToAlarm,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `${routeKey} answered slower than 2 s at p99 (gateway time and cold starts included) in 3 of the last 5 minutes: Rokid gives up at 3 s. See docs/operations.md.`,
      }).addAlarmAction(notify);
    }
  }
}
