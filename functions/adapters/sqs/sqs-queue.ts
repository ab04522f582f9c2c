/**
 * The events queue on Amazon SQS, through its JSON protocol (`AmazonSQS.*`) on the driver's signed JSON call, as
 * KMS and Secrets Manager are reached (functions/adapters/aws/json-call.ts): the SDK's SQS client would be a cold
 * start's largest module for three calls. A standard queue: at-least-once, unordered, which delivery makes
 * once-only and ordered per endpoint (functions/domain/events/delivery.ts).
 */
import type { DeviceEvent } from '../../domain/events/device-event.ts';
import type { EventQueue } from '../../domain/events/ports.ts';
import { limiter } from '../../domain/refresh/semaphore.ts';
import { type AwsService, awsJsonCall } from '../aws/json-call.ts';

/** SQS as the signed JSON call names it (JSON 1.0, `AmazonSQS.*`): the local event-source mapping uses it too. */
export const SQS: AwsService = { name: 'sqs', envName: 'SQS', targetPrefix: 'AmazonSQS', label: 'SQS', jsonVersion: '1.0' };

/** SQS's limit per SendMessageBatch. */
const BATCH = 10;
/** Batches in flight at once: a body of a thousand events is a hundred calls. */
const PARALLEL = 16;

export class SqsQueue implements EventQueue {
  readonly #queueUrl: string;
  readonly #timeoutMs: number;

  constructor(settings: { queueUrl: string; timeoutMs?: number }) {
    this.#queueUrl = settings.queueUrl;
    this.#timeoutMs = settings.timeoutMs ?? 3000;
  }

  async enqueue(events: readonly DeviceEvent[]): Promise<void> {
    const batches: DeviceEvent[][] = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
    const slot = limiter(PARALLEL);
    await Promise.all(batches.map((batch) => slot(() => this.#sendBatch(batch))));
  }

  /** SendMessageBatch answers per entry: the ones that failed for SQS's own reasons are sent once more. */
  async #sendBatch(batch: DeviceEvent[]): Promise<void> {
    let entries = batch.map((event, i) => ({ Id: String(i), MessageBody: JSON.stringify(event) }));
    for (let attempt = 1; ; attempt++) {
      const answer = await awsJsonCall(
        SQS,
        'SendMessageBatch',
        { QueueUrl: this.#queueUrl, Entries: entries },
        { timeoutMs: this.#timeoutMs },
      );
      const failed = Array.isArray(answer['Failed']) ? (answer['Failed'] as Array<Record<string, unknown>>) : [];
      if (failed.length === 0) return;
      const retryable = failed.every((entry) => entry['SenderFault'] !== true);
      if (!retryable || attempt >= 2) {
        throw new Error(`SQS did not store ${failed.length} of ${batch.length} events: ${String(failed[0]?.['Code'] ?? 'unknown')}`);
      }
      const again = new Set(failed.map((entry) => String(entry['Id'])));
      entries = entries.filter((entry) => again.has(entry.Id));
    }
  }

  /** Sets a message aside for operators: its body as it came, and why. */
  async deadLetter(deadLetterQueueUrl: string, body: string, reason: string): Promise<void> {
    await awsJsonCall(
      SQS,
      'SendMessage',
      {
        QueueUrl: deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
      },
      { timeoutMs: this.#timeoutMs },
    );
  }

  /** The message comes back after `delayS` (the retry's backoff) instead of the queue's visibility timeout. */
  async retryLater(receiptHandle: string, delayS: number): Promise<void> {
    await awsJsonCall(
      SQS,
      'ChangeMessageVisibility',
      { QueueUrl: this.#queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(delayS))) },
      { timeoutMs: this.#timeoutMs },
    );
  }
}
