/**
 * The middleware for the OAuth browser routes (GET /oauth/*, GET /device_oauth/*). A person's browser
 * is on the other end, so answers are redirects and plain pages, not Homebase envelopes; a failure is a
 * page saying what to do, never a stack trace.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { BrowserAnswer, Outcome } from '../domain/linking/browser-answer.ts';
import { countUnexpectedError, describeError, logContext, logger, publishMetrics } from '../observability.ts';
import { bindingCookie } from './cookies.ts';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

const NO_STORE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/** The HTTP status of each outcome the domain reports. */
const STATUS: Record<Outcome, number> = { ok: 200, bad_request: 400, not_found: 404, rate_limited: 429, upstream_failed: 502 };

/**
 * `secure`: whether the driver is served over https (its PUBLIC_BASE_URL), so that the cookies it sets
 * are marked Secure, as the OAuth 2.0 server's are.
 */
export function browserHandler(handle: (event: Event) => Promise<BrowserAnswer>, options: { secure: () => boolean }) {
  return (
    middy<Event, Result, Error, Context>()
      .use(logContext())
      // Linking records which kind of upstream failure it met.
      .use(publishMetrics)
      .handler(async (event, context) => {
        try {
          const answer = await handle(event);
          // The route only: query strings carry codes and states.
          logger.info('request', { route: event.routeKey, outcome: answer.kind === 'redirect' ? 'redirect' : answer.outcome });
          return toResult(answer, { secure: options.secure() });
        } catch (error) {
          await countUnexpectedError(context.functionName);
          logger.error('browser route failed unexpectedly', {
            route: event.routeKey,
            error: describeError(error),
          });
          return page(500, {
            title: 'Something went wrong',
            message: `The account link could not be completed. Try again in the Rokid app; if it keeps failing, give the operators this request id: ${context.awsRequestId}.`,
          });
        }
      })
  );
}

export const notConfigured: BrowserAnswer = {
  kind: 'page',
  outcome: 'not_found',
  title: 'Not available',
  message: 'This driver does not offer this way of linking accounts.',
};

export const NOT_FOUND: BrowserAnswer = {
  kind: 'page',
  outcome: 'not_found',
  title: 'Not found',
  message: 'There is nothing at this address.',
};

export function toResult(answer: BrowserAnswer, options: { secure: boolean }): Result {
  switch (answer.kind) {
    case 'redirect':
      return {
        statusCode: 302,
        headers: { location: answer.location, ...NO_STORE },
        ...(answer.binding ? { cookies: [bindingCookie(answer.binding, options.secure)] } : {}),
        body: '',
      };
    case 'json':
      return {
        statusCode: STATUS[answer.outcome],
        headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE },
        body: JSON.stringify(answer.body),
      };
    case 'text':
      return {
        statusCode: STATUS[answer.outcome],
        headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE },
        body: answer.body,
      };
    case 'page':
      return page(STATUS[answer.outcome], answer);
  }
}

function page(statusCode: number, { title, message }: { title: string; message: string }): Result {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'", ...NO_STORE },
    body: `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`,
  };
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
