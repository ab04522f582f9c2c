/**
 * The middleware every Homebase-facing function shares. Whatever happens, the caller gets HTTP 200
 * with a Homebase envelope: Homebase's reference client treats any other status as a transport
 * failure and would hide the message meant for the user.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DriverError, HomebaseError, toErrorEnvelope } from '../domain/errors.ts';
import { countUnexpectedError, describeError, logContext, logger, publishMetrics } from '../observability.ts';
import { jsonAnswer, monotonicMs, oversize } from './answers.ts';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
export type RouteHandler = (body: unknown, event: Event, context: Context) => Promise<unknown>;

export function homebaseHandler(handle: RouteHandler) {
  return (
    middy<Event, Result, Error, Context>()
      .use(envelope())
      // An inline refresh records metrics.
      .use(publishMetrics)
      .use(logContext())
      .use(bodyLimit())
      .use(httpJsonBodyParser())
      .handler(async (event, context) => (await handle(event.body, event, context)) as Result)
  );
}

function bodyLimit(): MiddlewareObj<Event, Result, Error, Context> {
  return {
    before: ({ event }) => {
      const tooLarge = oversize(event);
      if (tooLarge) throw new DriverError(tooLarge);
    },
  };
}

/** Wraps results as `{status: 0, data}` and every failure as an error envelope, and logs one line per request. */
function envelope(): MiddlewareObj<Event, Result, Error, Context> {
  const started = new WeakMap<Event, number>();
  return {
    before: ({ event }) => {
      started.set(event, monotonicMs());
    },
    after: (request) => {
      logger.info('request', { route: request.event.routeKey, outcome: 'ok', ms: elapsed(started, request.event) });
      request.response = jsonAnswer({ status: 0, data: request.response ?? null });
    },
    onError: async (request) => {
      const { error, unexpected } = asHomebaseError(request.error, request.context);
      const outcome = { route: request.event.routeKey, outcome: error.errorName, ms: elapsed(started, request.event) };
      if (unexpected) {
        // Not one of ours: its stack goes to the operators' logs, never to the caller.
        logger.error('request failed unexpectedly', { ...outcome, error: describeError(request.error) });
        await countUnexpectedError(request.context.functionName);
      } else {
        const cause = error.cause instanceof Error ? { cause: `${error.cause.name}: ${error.cause.message}` } : {};
        logger.info('request', { ...outcome, reason: error.message, ...cause });
      }
      request.response = jsonAnswer(toErrorEnvelope(error));
      return request.response;
    },
  };
}

/** Maps middy's parser errors and anything unexpected onto E_DRIVER_ERROR with a message a person can act on. */
function asHomebaseError(error: unknown, context: Context | undefined): { error: HomebaseError; unexpected: boolean } {
  if (error instanceof HomebaseError) return { error, unexpected: false };
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const message = error instanceof Error ? error.message : '';
  if (status === 415) {
    return { error: new DriverError('The request must have Content-Type: application/json.'), unexpected: false };
  }
  if (status === 422 && message.startsWith('Forbidden key')) {
    const forbidden = new DriverError('The JSON body uses a forbidden key (__proto__ or constructor.prototype).');
    return { error: forbidden, unexpected: false };
  }
  if (status === 422) {
    return { error: new DriverError('The request body is not valid JSON.'), unexpected: false };
  }
  const requestId = context?.awsRequestId;
  const failed = new DriverError(
    'The driver failed unexpectedly. Try again; if it keeps failing, report the request id to the driver operators.',
    requestId ? { debugInfo: `requestId=${requestId}` } : {},
  );
  return { error: failed, unexpected: true };
}

const elapsed = (started: WeakMap<Event, number>, event: Event) =>
  Math.round((monotonicMs() - (started.get(event) ?? monotonicMs())) * 10) / 10;
