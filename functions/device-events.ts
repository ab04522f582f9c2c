/**
 * POST /device-events: the http device cloud reports changes made outside Rokid (docs/device-cloud.md). A body is
 * acknowledged with 202 only once every event in it is stored durably in the queue; a bad signature gets 401 and a
 * body of the wrong shape 400, and neither stores anything.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as v from 'valibot';
import { deviceEventServices } from './composition/device-events.ts';
import { type ConfigSource, eventsOn, fromEnvironment } from './config.ts';
import { DriverError } from './domain/errors.ts';
import { WebhookBodySchema } from './domain/events/device-event.ts';
import { EventsInFlightError } from './domain/events/intake.ts';
import { EventOrderError } from './domain/events/ordering.ts';
import { signatureProblem } from './domain/events/signature.ts';
import { describeIssue } from './domain/protocol/validation.ts';
import { monotonicMs } from './http/answers.ts';
import { countUnexpectedError, describeError, eventMetrics, logContext, logger, publishMetrics } from './observability.ts';

/** The contract's limit (256 KB): a body of a thousand events fits with room to spare. */
export const MAX_EVENTS_BODY_BYTES = 256 * 1024;

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const answer = (statusCode: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});
const refusal = (statusCode: number, error: string, message: string, headers?: Record<string, string>) =>
  answer(statusCode, { error, message }, headers);

export function deviceEventsHandler(config: ConfigSource) {
  const services = deviceEventServices(config);
  return middy<Event, Result, Error, Context>()
    .use(publishMetrics)
    .use(logContext())
    .handler(async (event, context) => {
      const started = monotonicMs();
      const result = await handle(event, context);
      logger.info('request', {
        route: 'POST /device-events',
        status: result.statusCode,
        ms: Math.round((monotonicMs() - started) * 10) / 10,
      });
      return result;
    });

  async function handle(event: Event, context: Context): Promise<Result> {
    let built: ReturnType<typeof services>;
    try {
      // Off, nothing of state reports is built: there may be no queue to build it on.
      if (!eventsOn(config()))
        return refusal(404, 'events_off', 'State reports are off: the driver takes no device events until ROKID_EVENTS_CLIENT_ID is set.');
      built = services();
    } catch (error) {
      if (error instanceof DriverError) return refusal(500, 'misconfigured', error.message);
      throw error;
    }
    const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const bytes = Buffer.byteLength(raw);
    if (bytes > MAX_EVENTS_BODY_BYTES) {
      return refusal(
        413,
        'too_large',
        `The body is ${bytes} bytes; the limit is ${MAX_EVENTS_BODY_BYTES} (256 KB). Send the events in several bodies.`,
      );
    }
    try {
      const problem = signatureProblem(
        await built.secret(),
        { timestamp: event.headers?.['x-timestamp'], signature: event.headers?.['x-signature'] },
        raw,
        Math.floor(Date.now() / 1000),
      );
      if (problem) return refusal(401, 'invalid_signature', problem);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return refusal(400, 'invalid_body', 'The body is not valid JSON.');
      }
      const read = v.safeParse(WebhookBodySchema, parsed, { abortEarly: true });
      if (!read.success) return refusal(400, 'invalid_body', `The body is not a batch of device events: ${describeIssue(read.issues[0])}.`);
      const { queued, duplicates } = await built.intake.accept(read.output.events);
      eventMetrics.eventsQueued(queued, duplicates);
      return answer(202, { queued, duplicates });
    } catch (error) {
      if (error instanceof EventsInFlightError) return refusal(409, 'in_flight', error.message, { 'retry-after': '5' });
      if (error instanceof EventOrderError) return refusal(400, 'invalid_body', error.message);
      logger.error('device events could not be stored', { error: describeError(error) });
      await countUnexpectedError(context.functionName);
      return refusal(503, 'not_stored', 'The events could not be stored; none of this body is acknowledged. Send it again.', {
        'retry-after': '5',
      });
    }
  }
}

export const handler = deviceEventsHandler(fromEnvironment);
