import { SqsQueue } from '../adapters/sqs/sqs-queue.ts';
import { type Config, DEPLOYED_REMEDY } from '../config.ts';
import { DriverError } from '../domain/errors.ts';

/** The queue both the webhook and delivery use. */
export const eventQueue = (config: Config): SqsQueue => {
  if (!config.EVENTS_QUEUE_URL) {
    throw new DriverError(`State reports are on, but EVENTS_QUEUE_URL is not set (the stack sets it). ${DEPLOYED_REMEDY}`);
  }
  return new SqsQueue({ queueUrl: config.EVENTS_QUEUE_URL });
};
