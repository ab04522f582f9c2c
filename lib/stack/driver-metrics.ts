/** The driver's own metrics (functions/observability.ts writes them as EMF), as the alarms and the dashboard read them. */
import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { METRICS_NAMESPACE, SERVICE } from '../functions.ts';

/** A count the functions record, summed over `period`. */
export const driverMetric = (name: string, period: Duration, label?: string) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE },
    statistic: 'Sum',
    period,
    ...(label ? { label } : {}),
  });

/**
 * `unexpected_errors` of one function: answered as E_DRIVER_ERROR with HTTP 200, so neither the function's
 * Errors nor API 5xx see these. Counted by every function but the refresh job, whose failures are Errors.
 */
export const unexpectedErrors = (f: IFunction, label?: string) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: 'unexpected_errors',
    dimensionsMap: { service: SERVICE, function: f.functionName },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...(label ? { label } : {}),
  });
