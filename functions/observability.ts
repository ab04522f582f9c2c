/**
 * Logs and metrics, in one place: handlers and the composition roots reach both through this module.
 *
 * Logs are structured JSON. Nothing logged may contain a token: handlers log routes, outcomes and
 * error names, never request bodies or upstream responses. Metrics use the embedded metric format:
 * written to stdout with the logs, so recording one costs no API call. The CDK stack's alarms watch
 * `needs_relink`, `transient_failure`, `refresh_token_replayed` and `unexpected_errors`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RefreshMetrics, RevocationMetrics, SecurityEvents, UpstreamMetrics } from './domain/ports.ts';

const serviceName = process.env['POWERTOOLS_SERVICE_NAME'] ?? 'homebase-driver';

export const logger = new Logger({ serviceName });

export const metrics = new Metrics({ namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'HomebaseDriver', serviceName });

/** `upstream_refused`, `upstream_unreadable` or `upstream_unavailable`: which kind of failure, for linking and refresh alike. */
export const upstreamMetrics: UpstreamMetrics = {
  upstreamFailure(kind) {
    metrics.addMetric(`upstream_${kind}`, MetricUnit.Count, 1);
  },
};

export const refreshMetrics: RefreshMetrics = {
  ...upstreamMetrics,
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

export const revocationMetrics: RevocationMetrics = {
  ...upstreamMetrics,
  linkRevoked() {
    metrics.addMetric('links_revoked', MetricUnit.Count, 1);
  },
  revocationFailed() {
    metrics.addMetric('revocation_failed', MetricUnit.Count, 1);
  },
};

/** A security event is a warning with a `securityEvent` field to filter on, and a metric the stack alarms on. */
export const securityEvents: SecurityEvents = {
  refreshTokenReplayed(details) {
    logger.warn('A replaced refresh token was presented again after the grace window; the link is revoked', {
      securityEvent: 'refresh_token_replayed',
      ...details,
    });
    metrics.addMetric('refresh_token_replayed', MetricUnit.Count, 1);
  },
};

/**
 * `unexpected_errors`, by function: a failure that is not one of the driver's own, answered with HTTP 200
 * and E_DRIVER_ERROR as Homebase needs, so API Gateway's 5xx alarm never sees it. Published at once.
 */
export function countUnexpectedError(functionName: string): void {
  const single = metrics.singleMetric();
  single.addDimension('function', functionName);
  single.addMetric('unexpected_errors', MetricUnit.Count, 1);
}

/** Name, message and stack only: an error's other fields (an SDK response, middy's `cause.data`) may hold request data. */
export function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: typeof error };
}

/** Publishes what this invocation recorded; most /list calls record nothing and publish nothing. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** A middy middleware: what an invocation recorded is published whether it succeeded or not. */
export const publishMetrics = { after: flushMetrics, onError: flushMetrics };
