/**
 * The queue's consumer: each SQS message is one device event, delivered to Rokid by ReportDelivery. Messages are
 * answered one by one (SQS partial batch responses): a retry comes back after its backoff, set as the message's
 * visibility; a message Rokid refused as malformed is set aside in the dead-letter queue at once; and one that keeps
 * failing for hours is moved there by the queue's redrive. Events of one endpoint in a batch go in order.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as v from 'valibot';
import { stateReportServices } from './composition/state-reports.ts';
import { type ConfigSource, fromEnvironment } from './config.ts';
import { type DeliveryOutcome, retryDelayS } from './domain/events/delivery.ts';
import { type DeviceEvent, DeviceEventSchema } from './domain/events/device-event.ts';
import { countUnexpectedError, describeError, eventMetrics, logContext, logger, publishMetrics } from './observability.ts';

export function stateReportsHandler(config: ConfigSource) {
  const services = stateReportServices(config);
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(logContext())
    .use(publishMetrics)
    .handler(async (batch, context) => {
      const { delivery, queue, config: settings } = services();
      const failed: string[] = [];
      const setAside = async (record: SQSRecord, reason: string) => {
        const dlq = settings.EVENTS_DEAD_LETTER_QUEUE_URL;
        try {
          if (!dlq) throw new Error('EVENTS_DEAD_LETTER_QUEUE_URL is not set');
          await queue.deadLetter(dlq, record.body, reason);
        } catch (error) {
          // Left in the queue: its redrive sets it aside in the end.
          logger.error('A refused event could not be set aside', { messageId: record.messageId, error: describeError(error) });
          failed.push(record.messageId);
        }
      };
      const outcomeOf = async (record: SQSRecord, event: DeviceEvent, attempt: number): Promise<DeliveryOutcome> => {
        // One delivery may take two gateway calls and a token refresh: with less time than that left, the rest of
        // the batch goes back to the queue at once, rather than waiting out a timed-out batch's visibility.
        if (context.getRemainingTimeInMillis() < deliveryReserveMs(settings.ROKID_EVENTS_TIMEOUT_MS)) {
          return { kind: 'retry', delayS: 0, reason: "the batch ran out of the function's time" };
        }
        try {
          return await delivery.deliver(event, attempt);
        } catch (error) {
          logger.error('Delivering an event failed unexpectedly; it is tried again', {
            messageId: record.messageId,
            error: describeError(error),
          });
          await countUnexpectedError(context.functionName);
          return { kind: 'retry', delayS: retryDelayS(attempt), reason: 'unexpected' };
        }
      };
      const byEndpoint = new Map<string, Array<{ record: SQSRecord; event: DeviceEvent }>>();
      for (const record of batch.Records) {
        const event = readEvent(record.body);
        if (!event) {
          eventMetrics.eventDeadLettered('unreadable');
          logger.warn('A queued message is not a device event; it is set aside', { messageId: record.messageId });
          await setAside(record, 'unreadable');
          continue;
        }
        const key = `${event.vendorUserId}\u0000${event.deviceId}`;
        byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), { record, event }]);
      }
      await Promise.all(
        [...byEndpoint.values()].map(async (items) => {
          items.sort((a, b) => a.event.order.localeCompare(b.event.order));
          for (const { record, event } of items) {
            const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
            const outcome = await outcomeOf(record, event, attempt);
            if (outcome.kind === 'dead_letter') await setAside(record, outcome.reason);
            if (outcome.kind !== 'retry') continue;
            logger.info('An event is tried again later', {
              messageId: record.messageId,
              attempt,
              delayS: outcome.delayS,
              reason: outcome.reason,
            });
            await queue.retryLater(record.receiptHandle, outcome.delayS).catch((error: unknown) => {
              logger.warn("An event's backoff could not be set; it returns after the queue's visibility timeout", {
                error: describeError(error),
              });
            });
            failed.push(record.messageId);
          }
        }),
      );
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    });
}

function readEvent(body: string): DeviceEvent | undefined {
  try {
    const read = v.safeParse(DeviceEventSchema, JSON.parse(body));
    return read.success ? (read.output as DeviceEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** What one delivery may take at worst: the gateway twice and the token endpoint once, each at its timeout, and the writes. */
export const deliveryReserveMs = (rokidTimeoutMs: number): number => 3 * rokidTimeoutMs + 2000;

export const handler = stateReportsHandler(fromEnvironment);
