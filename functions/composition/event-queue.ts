import { SqsQueue } from '../adapters/sqs/sqs-queue.ts';
import type { Config } from '../config.ts';

/** The queue both the webhook and delivery use. */
export const eventQueue = (config: Config): SqsQueue => {
  if (!config.EVENTS_QUEUE_URL) throw new Error('EVENTS_QUEUE_URL is not set: the stack sets it where state reports are on');
  return new SqsQueue({ queueUrl: config.EVENTS_QUEUE_URL });
};
