import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { RefreshMetrics } from '../../domain/ports.ts';

/**
 * CloudWatch metrics in the embedded metric format: written to stdout with the logs, so recording
 * one costs no API call. The CDK stack's alarms watch `needs_relink` and `transient_failure`.
 */
export const metrics = new Metrics({
  namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'HomebaseDriver',
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'homebase-driver',
});

export const refreshMetrics: RefreshMetrics = {
  refreshed(lagS) {
    metrics.addMetric('refreshed', MetricUnit.Count, 1);
    metrics.addMetric('lag', MetricUnit.Seconds, lagS);
  },
  transientFailure() {
    metrics.addMetric('transient_failure', MetricUnit.Count, 1);
  },
  needsRelink() {
    metrics.addMetric('needs_relink', MetricUnit.Count, 1);
  },
};

/** Publishes what this invocation recorded; most /list calls record nothing and publish nothing. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
