/**
 * The local stand-in for Lambda's SQS event-source mapping: long-polls the queue, hands each batch to the consumer
 * as an SQS event, and deletes what the handler did not report as failed (partial batch responses, as the stack
 * configures with `reportBatchItemFailures`). A handler that throws fails its whole batch: every message comes back
 * after its visibility timeout, as deployed. Several pollers run at once, as Lambda scales a mapping out.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsJsonCall } from '../../functions/adapters/aws/json-call.ts';
import { SQS } from '../../functions/adapters/sqs/sqs-queue.ts';
import { lambdaContext } from './lambda-context.ts';

/** The SQS event Lambda's mapping hands a function: one record per message ReceiveMessage answered. */
export function sqsEventOf(messages: Array<Record<string, unknown>>, queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: String(message['MessageId']),
      receiptHandle: String(message['ReceiptHandle']),
      body: String(message['Body']),
      attributes: message['Attributes'] as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: String(message['MD5OfBody']),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

export interface QueuePoller {
  /** Resolves once the queue has no message left that a poll could take (visible now). */
  idle(): Promise<void>;
  /** Batches handed to the handler so far. */
  batches(): number;
  close(): Promise<void>;
}

export function startQueuePoller(
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>,
  options: {
    queueUrl: string;
    /** The queue's ARN, as the records name it. */
    queueArn?: string;
    batchSize?: number;
    /** Pollers at once (Lambda's mapping scales out to five at first). */
    concurrency?: number;
    /** The consumer's timeout, as its deployed function has it. */
    timeoutMs: number;
    /** How long one poll waits for a message. */
    waitTimeS?: number;
    onError: (error: unknown) => void;
  },
): QueuePoller {
  let stopped = false;
  let handed = 0;
  let emptyPolls = 0;
  const idleWaiters: Array<() => void> = [];
  // The queue's own endpoint (its URL's origin), not the process-wide AWS_ENDPOINT_URL_SQS: where several local
  // drivers share a process (the tests), that names the latest one's queue, which may be closed while this polls.
  const endpoint = new URL(options.queueUrl).origin;
  const call = (action: string, body: Record<string, unknown>) =>
    awsJsonCall(SQS, action, { QueueUrl: options.queueUrl, ...body }, { timeoutMs: 25_000, endpoint });

  const poll = async (): Promise<void> => {
    while (!stopped) {
      let messages: Array<Record<string, unknown>>;
      try {
        const answer = await call('ReceiveMessage', {
          MaxNumberOfMessages: options.batchSize ?? 10,
          WaitTimeSeconds: options.waitTimeS ?? 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        });
        messages = Array.isArray(answer['Messages']) ? (answer['Messages'] as Array<Record<string, unknown>>) : [];
      } catch (error) {
        if (stopped) return;
        options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (messages.length === 0) {
        emptyPolls++;
        for (const wake of idleWaiters.splice(0)) wake();
        continue;
      }
      emptyPolls = 0;
      handed++;
      const event = sqsEventOf(messages, options.queueArn ?? 'arn:aws:sqs:local:000000000000:events', process.env['AWS_REGION'] ?? 'local');
      let failed: Set<string>;
      try {
        const result = await handler(event, lambdaContext(randomUUID(), options.timeoutMs));
        failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      } catch (error) {
        options.onError(error);
        continue;
      }
      const done = event.Records.filter((record) => !failed.has(record.messageId));
      if (done.length === 0) continue;
      await call('DeleteMessageBatch', {
        Entries: done.map((record, i) => ({ Id: String(i), ReceiptHandle: record.receiptHandle })),
      }).catch(options.onError);
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 2 }, poll);
  return {
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        if (emptyPolls > 0 && stopped) resolve();
      }),
    batches: () => handed,
    close: async () => {
      stopped = true;
      for (const wake of idleWaiters.splice(0)) wake();
      await Promise.all(loops);
    },
  };
}
