/**
 * The middleware of `POST /v2`. Whatever happens, Rokid gets HTTP 200 with a v2 message (rhome 2.0.8
 * discards any other status, and the docs name none): the directive's Response, or an ErrorResponse that
 * echoes the messageId when the header could be read that far. Every answer is due within Rokid's 3 s:
 * the request gets one deadline, shared by everything it waits on.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { ConfigSource } from '../config.ts';
import type { Deadline } from '../domain/ports.ts';
import { sameSecret } from '../domain/same-secret.ts';
import type { DirectiveContext } from '../domain/v2/directives.ts';
import { errorPayload, isNamedFailure, V2Error } from '../domain/v2/errors.ts';
import { errorResponse, messageIdOf, readRequest, type V2Request } from '../domain/v2/messages.ts';
import { countUnexpectedError, describeError, logContext, logger, publishMetrics } from '../observability.ts';
import { jsonAnswer, monotonicMs, oversize } from './answers.ts';

/**
 * The answer is due this long after the request reaches the function: Rokid's 3 s, less what API Gateway and
 * the network take on the way. The deadline's safety net fires 200 ms later still, before 3 s.
 */
export const V2_BUDGET_MS = 2600;
const SAFETY_NET_MS = 200;

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
export type DirectiveAnswer = (request: V2Request, context: DirectiveContext) => Promise<unknown>;

export function v2MessageHandler(config: ConfigSource, answer: DirectiveAnswer) {
  return middy<Event, Result, Error, Context>()
    .use(publishMetrics)
    .use(logContext())
    .handler(async (event, context) => {
      const started = monotonicMs();
      const deadline: Deadline = { remainingMs: () => V2_BUDGET_MS - (monotonicMs() - started) };
      const read = readBody(event);
      const messageId = messageIdOf(read.body);
      let directive = 'unreadable';
      let reply: unknown;
      try {
        checkRequiredHeader(config, event);
        if (read.error) throw read.error;
        const request = readRequest(read.body);
        directive = `${request.namespace}/${request.name}`.slice(0, 120);
        const invocation = {
          requestId: context.awsRequestId,
          remainingMs: () => Math.min(context.getRemainingTimeInMillis(), deadline.remainingMs()),
        };
        reply = await withinDeadline(answer(request, { invocation, deadline }), deadline);
      } catch (error) {
        if (!isNamedFailure(error)) {
          // Not one of ours: its stack goes to the operators' logs, never to the caller.
          logger.error('v2 message failed unexpectedly', { directive, error: describeError(error) });
          await countUnexpectedError(context.functionName);
        }
        reply = errorResponse(messageId, errorPayload(error, context.awsRequestId));
      }
      logger.info('request', {
        route: 'POST /v2',
        directive,
        outcome: outcomeOf(reply),
        ms: Math.round((monotonicMs() - started) * 10) / 10,
      });
      return jsonAnswer(reply);
    });
}

/** The body as JSON; what is wrong with it is kept for after the required header has been checked. */
function readBody(event: Event): { body: unknown; error?: V2Error } {
  if (event.body === undefined || event.body === '') {
    return { body: undefined, error: new V2Error('E_INTERNAL_ERROR', 'The request has no body: a v2 message is a JSON object.') };
  }
  const tooLarge = oversize(event);
  if (tooLarge) return { body: undefined, error: new V2Error('E_INTERNAL_ERROR', tooLarge) };
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { body: undefined, error: new V2Error('E_INTERNAL_ERROR', 'The request body is not valid JSON.') };
  }
}

/** The console's optional custom header (自定义 Header): where configured, a message without it is not Rokid's. */
function checkRequiredHeader(config: ConfigSource, event: Event): void {
  const required = config().V2_REQUIRED_HEADER;
  if (!required) return;
  const sent = event.headers?.[required.name];
  if (sent === undefined || !sameSecret(Buffer.from(sent.trim()), Buffer.from(required.value))) {
    // The console's setting and the driver's disagree: the driver's configuration, not the user's authorization.
    throw new V2Error(
      'E_INTERNAL_ERROR',
      `The message lacks the custom header this driver requires (${required.name}), or it does not match: the header set in Rokid's console and the driver's V2_REQUIRED_HEADER must agree.`,
      { vendorCode: 'REQUIRED_HEADER_MISMATCH' },
    );
  }
}

/** The work, or E_ENDPOINT_UNREACHABLE once the deadline (and its safety margin) has passed. */
async function withinDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new V2Error('E_ENDPOINT_UNREACHABLE', 'The answer was not ready within Rokid’s 3-second budget. Try again.')),
      Math.max(0, deadline.remainingMs() + SAFETY_NET_MS),
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function outcomeOf(reply: unknown): string {
  const message = reply as { header?: { name?: string }; payload?: { name?: string } };
  return message.header?.name === 'ErrorResponse' ? (message.payload?.name ?? 'ErrorResponse') : (message.header?.name ?? 'unknown');
}
