/**
 * State reports' handlers in-process, on real components on loopback: the embedded DynamoDB, the SQS stand-in (its
 * clock movable, so an hour of backoff passes at once), and the Rokid stand-in. `deliver()` does what Lambda's
 * event-source mapping does once: receives a batch, hands it to the consumer as an SQS event, deletes what the
 * consumer did not report as failed.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { awsJsonCall } from '../../functions/adapters/aws/json-call.ts';
import { SQS } from '../../functions/adapters/sqs/sqs-queue.ts';
import type { ConfigInput } from '../../functions/config.ts';
import { MAX_DELIVERIES } from '../../functions/domain/events/delivery.ts';
import { grantKeyOf } from '../../functions/domain/events/grant.ts';
import { signEvents } from '../../functions/domain/events/signature.ts';
import { lambdaContext as contextFor } from '../../lib/local/lambda-context.ts';
import { sqsEventOf } from '../../lib/local/queue-poller.ts';
import { type RokidStandIn, type RokidStandInOptions, startRokidStandIn } from '../../lib/stand-ins/rokid-events.ts';
import { startSqsStandIn } from '../../lib/stand-ins/sqs.ts';
import { apiEvent, lambdaContext } from './events.ts';
import { startHandlers } from './handlers.ts';
import { bearer, v2Message } from './v2.ts';

export async function startStateReports(
  options: {
    rokid?: RokidStandInOptions;
    settings?: ConfigInput /** The SDK's, e.g. a DynamoDB endpoint that injects faults. */;
    env?: Record<string, string>;
  } = {},
) {
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const sqs = await startSqsStandIn({ now });
  const rokid: RokidStandIn = await startRokidStandIn({ now, ...options.rokid });
  const deadLetterUrl = sqs.createQueue('event-dead-letters');
  const queueUrl = sqs.createQueue('events', {
    visibilityTimeoutS: 360,
    redrive: { deadLetterQueue: 'event-dead-letters', maxReceiveCount: MAX_DELIVERIES },
  });
  const deviceEventsSecret = randomBytes(24).toString('base64url');
  const settings: ConfigInput = {
    ROKID_EVENTS_CLIENT_ID: rokid.clientId,
    ROKID_EVENTS_CLIENT_SECRET: rokid.clientSecret,
    ROKID_OAUTH_TOKEN_URL: rokid.tokenUrl,
    ROKID_EVENT_GATEWAY_URL: rokid.gatewayUrl,
    ROKID_REPORT_FAILED_URL: rokid.reportFailedUrl,
    ROKID_EVENTS_TIMEOUT_MS: '1000',
    DEVICE_EVENTS_SECRET: deviceEventsSecret,
    EVENTS_QUEUE_URL: queueUrl,
    EVENTS_DEAD_LETTER_QUEUE_URL: deadLetterUrl,
    ...options.settings,
  };
  const driver = await startHandlers(settings, { AWS_ENDPOINT_URL_SQS: sqs.endpoint, ...options.env });
  const config = () => driver.config();
  const webhook = (await import('../../functions/device-events.ts')).deviceEventsHandler(config);
  const consumer = (await import('../../functions/state-reports.ts')).stateReportsHandler(config);
  const call = (action: string, body: Record<string, unknown>) =>
    awsJsonCall(SQS, action, { QueueUrl: queueUrl, ...body }, { timeoutMs: 5000 });

  /** A signed POST /device-events, as the device cloud sends it. */
  async function postEvents(body: unknown, headers: Record<string, string> = {}): Promise<APIGatewayProxyStructuredResultV2> {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    return (await webhook(
      apiEvent('POST /device-events', raw, {
        'content-type': 'application/json',
        'x-timestamp': timestamp,
        'x-signature': signEvents(deviceEventsSecret, timestamp, raw),
        ...headers,
      }),
      lambdaContext,
    )) as APIGatewayProxyStructuredResultV2;
  }

  /** One poll of the mapping: undefined when nothing was visible. */
  async function deliver(): Promise<{ records: number; response: SQSBatchResponse } | undefined> {
    const answer = await call('ReceiveMessage', { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] });
    const messages = (answer['Messages'] ?? []) as Array<Record<string, any>>;
    if (messages.length === 0) return undefined;
    const event = sqsEventOf(messages, 'arn:aws:sqs:local:000000000000:events', 'local');
    const response = (await consumer(event, contextFor('consumer', 60_000))) as SQSBatchResponse;
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = event.Records.filter((r) => !failed.has(r.messageId));
    if (done.length > 0)
      await call('DeleteMessageBatch', { Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) });
    return { records: event.Records.length, response };
  }

  /** Polls until nothing is visible. */
  async function drain(): Promise<number> {
    let batches = 0;
    while (await deliver()) batches++;
    return batches;
  }

  /** AcceptGrant as Rokid sends it, with a code the stand-in minted for `rokidUserId`. */
  const acceptGrant = (userToken: string, rokidUserId: string, messageId?: string) =>
    driver.v2(
      v2Message('Rokid.Authorization', 'AcceptGrant', bearer(userToken), {
        ...(messageId ? { messageId } : {}),
        payload: { grant: { type: 'OAuth2.AuthorizationCode', code: rokid.issueCode(rokidUserId), userId: rokidUserId } },
      }),
    );

  /** A new link of the demo user, or of another vendor user (OTHER_ACCOUNT). */
  const login = async (account: { username: string; password: string } = { username: 'demo', password: 'homebase' }) =>
    (await driver.call('command', JSON.stringify({ command: 'login', params: { username: account.username, password: account.password } })))
      .data as {
      userId: string;
      userToken: string;
    };

  /** A grant's item as stored, by the vendor user it belongs to and Rokid's label (or, with none, the link). */
  const storedGrant = async (vendorUserId: string, label: string | undefined, linkId?: string) =>
    (
      await driver.table.db.send(
        new GetCommand({
          TableName: driver.table.tableName,
          Key: { pk: `EVGRANT#${grantKeyOf(label, { vendorUserId, linkId })}`, sk: 'GRANT' },
        }),
      )
    ).Item;

  return {
    ...driver,
    sqs,
    rokid,
    deviceEventsSecret,
    postEvents,
    deliver,
    drain,
    acceptGrant,
    login,
    storedGrant,
    /** Moves the queue's and Rokid's clocks on (visibility timeouts, token lifetimes). */
    advance: (ms: number) => {
      offsetMs += ms;
    },
    close: async () => {
      await driver.close();
      await sqs.close();
      await rokid.close();
    },
  };
}
