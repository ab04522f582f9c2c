/**
 * Logs and metrics, in one place: handlers and the composition roots reach both through this module.
 *
 * Logs are structured JSON. Nothing logged may contain a token: handlers log routes, outcomes and
 * error names, never request bodies or upstream responses. Metrics use the embedded metric format:
 * written to stdout with the logs, so recording one costs no API call. The CDK stack's alarms watch
 * `needs_relink`, `transient_failure`, `refresh_token_replayed` and `unexpected_errors`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type {
  DirectiveMetrics,
  EventMetrics,
  RefreshMetrics,
  RevocationMetrics,
  SecurityEvents,
  SignInMetrics,
  UpstreamMetrics,
} from './domain/ports.ts';

const serviceName = process.env['POWERTOOLS_SERVICE_NAME'] ?? 'homebase-driver';

export const logger = new Logger({ serviceName });

/** A middy middleware: each invocation's log lines carry its request id, function and cold start. */
export const logContext = () => injectLambdaContext(logger);

type Unit = 'Count' | 'Seconds';
/** A metric recorded during this invocation; `dimension` makes it a single metric of its own, published apart. */
interface Recorded {
  name: string;
  unit: Unit;
  value: number;
  dimension?: [string, string];
}

/**
 * What this invocation recorded, kept here until it is published. Powertools' Metrics is loaded only then:
 * most requests record nothing, and its module was a third of a Homebase-facing bundle and 3 ms of every
 * cold start (`npm run bench:lambda`).
 */
const recorded: Recorded[] = [];
const record = (name: string, unit: Unit, value: number, dimension?: [string, string]) => {
  recorded.push({ name, unit, value, ...(dimension ? { dimension } : {}) });
};

let powertools: Promise<import('@aws-lambda-powertools/metrics').Metrics> | undefined;
const metricsClient = () => {
  powertools ??= import('@aws-lambda-powertools/metrics').then(
    ({ Metrics }) => new Metrics({ namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'HomebaseDriver', serviceName }),
  );
  return powertools;
};

/** `upstream_refused`, `upstream_unreadable` or `upstream_unavailable`: which kind of failure, for linking and refresh alike. */
export const upstreamMetrics: UpstreamMetrics = {
  upstreamFailure(kind) {
    record(`upstream_${kind}`, 'Count', 1);
  },
};

export const refreshMetrics: RefreshMetrics = {
  ...upstreamMetrics,
  refreshed(lagS) {
    record('refreshed', 'Count', 1);
    record('lag', 'Seconds', lagS);
  },
  transientFailure() {
    record('transient_failure', 'Count', 1);
  },
  needsRelink() {
    record('needs_relink', 'Count', 1);
  },
};

export const revocationMetrics: RevocationMetrics = {
  ...upstreamMetrics,
  linkRevoked() {
    record('links_revoked', 'Count', 1);
  },
  revocationFailed() {
    record('revocation_failed', 'Count', 1);
  },
};

/**
 * State reports (functions/domain/events): `events_sent`, `events_retried`, `events_dead_lettered` and
 * `grants_ended` are alarmed on (lib/stack/alarms.ts); the rest tell the story around them.
 */
export const eventMetrics: EventMetrics = {
  eventsQueued(queued, duplicates) {
    record('events_queued', 'Count', queued);
    if (duplicates > 0) record('events_duplicate', 'Count', duplicates);
  },
  eventSent() {
    record('events_sent', 'Count', 1);
  },
  eventRetried() {
    record('events_retried', 'Count', 1);
  },
  eventDeadLettered() {
    record('events_dead_lettered', 'Count', 1);
  },
  eventSuperseded() {
    record('events_superseded', 'Count', 1);
  },
  eventUnchanged() {
    record('events_unchanged', 'Count', 1);
  },
  eventGhost() {
    record('events_ghost', 'Count', 1);
  },
  grantAccepted() {
    record('grants_accepted', 'Count', 1);
  },
  grantRefreshed() {
    record('grants_refreshed', 'Count', 1);
  },
  grantRefreshFailed(kind) {
    record('grant_refresh_failed', 'Count', 1);
    record(`rokid_${kind}`, 'Count', 1);
  },
  grantEnded() {
    record('grants_ended', 'Count', 1);
  },
};

/** `v2_unconfirmed_answers`: resends answered from the current state, because the first delivery left no answer. */
export const directiveMetrics: DirectiveMetrics = {
  unconfirmedAnswer() {
    record('v2_unconfirmed_answers', 'Count', 1);
  },
};

/** `sign_ins_throttled`: an attempt refused by sign-in throttling before any password was checked (the dashboard shows it). */
export const signInMetrics: SignInMetrics = {
  signInThrottled() {
    record('sign_ins_throttled', 'Count', 1);
  },
};

/** A security event is a warning with a `securityEvent` field to filter on, and a metric the stack alarms on. */
export const securityEvents: SecurityEvents = {
  refreshTokenReplayed(details) {
    logger.warn('A spent refresh token was presented again, and could not be a retry; the link is revoked', {
      securityEvent: 'refresh_token_replayed',
      ...details,
    });
    record('refresh_token_replayed', 'Count', 1);
  },
};

/**
 * `unexpected_errors`, by function: a failure that is not one of the driver's own, answered with HTTP 200
 * and E_DRIVER_ERROR as Homebase needs, so API Gateway's 5xx alarm never sees it. Published at once, as a
 * single metric of its own (it has the `function` dimension): the error handlers that count it run after the
 * middleware that publishes the rest.
 */
export async function countUnexpectedError(functionName: string): Promise<void> {
  record('unexpected_errors', 'Count', 1, ['function', functionName]);
  await flushMetrics();
}

/** Name, message and stack only: an error's other fields (an SDK response, middy's `cause.data`) may hold request data. */
export function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: typeof error };
}

/** Publishes what this invocation recorded; most /list calls record nothing, and neither load nor publish anything. */
export async function flushMetrics(): Promise<void> {
  if (recorded.length === 0) return;
  const batch = recorded.splice(0);
  const metrics = await metricsClient();
  for (const { name, unit, value, dimension } of batch) {
    if (!dimension) {
      metrics.addMetric(name, unit as never, value);
      continue;
    }
    const single = metrics.singleMetric();
    single.addDimension(...dimension);
    single.addMetric(name, unit as never, value);
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** A middy middleware: what an invocation recorded is published whether it succeeded or not. */
export const publishMetrics = { after: flushMetrics, onError: flushMetrics };
