/**
 * The v2 middleware's own guarantees, apart from any domain: whatever the answer does, Rokid gets a v2 message
 * within its 3 s. Work that never finishes is cut off by the deadline's safety net as E_ENDPOINT_UNREACHABLE;
 * a failure that is not the driver's own is E_INTERNAL_ERROR, naming the request and showing no stack.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../functions/config.ts';
import { type DirectiveAnswer, V2_BUDGET_MS, v2MessageHandler } from '../../functions/http/directive-handler.ts';
import { apiEvent, lambdaContext, REQUEST_ID } from '../support/events.ts';
import { bearer, discover } from '../support/v2.ts';

const config = () => readConfig({ TABLE_NAME: 't', USERCENTER_URL: 'http://127.0.0.1:1', CREDENTIALS_KEY_FILE: '/k' });

async function answerOf(answer: DirectiveAnswer) {
  const handler = v2MessageHandler(config, answer) as unknown as (e: unknown, c: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
  const result = await handler(apiEvent('POST /v2', JSON.stringify(discover(bearer('t'), 'm-1'))), lambdaContext);
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body ?? '');
}

describe('the v2 middleware', () => {
  it('cuts off work that never finishes at the deadline, with E_ENDPOINT_UNREACHABLE under the request’s messageId', {
    timeout: 10_000,
  }, async () => {
    const started = Date.now();
    const answer = await answerOf(() => new Promise(() => undefined));
    expect(answer).toMatchObject({ header: { name: 'ErrorResponse', messageId: 'm-1' }, payload: { name: 'E_ENDPOINT_UNREACHABLE' } });
    // Not before the deadline: the net is for work that outlives it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(V2_BUDGET_MS);
  });

  it('answers a failure that is not the driver’s own as E_INTERNAL_ERROR naming the request, with no stack', async () => {
    const answer = await answerOf(async () => {
      throw new TypeError('boom at some line');
    });
    expect(answer.payload).toEqual({
      name: 'E_INTERNAL_ERROR',
      vendorCode: '',
      message: `The driver failed unexpectedly; its operators can find request ${REQUEST_ID} in the logs.`,
      debugInfo: `requestId=${REQUEST_ID}`,
    });
  });
});
