/**
 * `npm start`'s state reports: stand-ins for Rokid's token endpoint and gateway (unless the settings name a real
 * Rokid) and for SQS, the settings that point the handlers at them, and the consumer fed by a poller, as Lambda's
 * event-source mapping feeds it deployed.
 */
import { randomBytes } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Config, ConfigInput } from '../../functions/config.ts';
import { MAX_DELIVERIES } from '../../functions/domain/events/delivery.ts';
import { FUNCTION_SIZING } from '../functions.ts';
import { type RokidStandIn, startRokidStandIn } from '../stand-ins/rokid-events.ts';
import { startSqsStandIn } from '../stand-ins/sqs.ts';
import type { DeviceCloudServer } from './device-cloud-server.ts';
import type { PlaygroundEvents } from './playground/playground.ts';
import { type QueuePoller, startQueuePoller } from './queue-poller.ts';

/**
 * State reports on this machine: Rokid's token endpoint and gateway (unless the settings name a real Rokid), and
 * the queue. The consumer is started once the handlers' settings are complete.
 */
export async function startLocalEvents(settings: ConfigInput, setting = 'on', stops: Array<() => Promise<void>>) {
  if (setting !== 'on' && setting !== 'off') throw new Error(`LOCAL_EVENTS must be on or off, not "${setting}".`);
  if (setting === 'off') {
    if (settings.ROKID_EVENTS_CLIENT_ID !== undefined)
      throw new Error('LOCAL_EVENTS=off runs no queue, so it cannot go with ROKID_EVENTS_CLIENT_ID.');
    return undefined;
  }
  let rokid: RokidStandIn | undefined;
  if (settings.ROKID_EVENTS_CLIENT_ID === undefined) {
    rokid = await startRokidStandIn();
    stops.unshift(rokid.close);
    Object.assign(settings, {
      ROKID_EVENTS_CLIENT_ID: rokid.clientId,
      ROKID_EVENTS_CLIENT_SECRET: rokid.clientSecret,
      ROKID_OAUTH_TOKEN_URL: rokid.tokenUrl,
      ROKID_EVENT_GATEWAY_URL: rokid.gatewayUrl,
      ROKID_REPORT_FAILED_URL: rokid.reportFailedUrl,
    } satisfies ConfigInput);
  }
  settings.DEVICE_EVENTS_SECRET ||= randomBytes(24).toString('base64url');
  const sqs = await startSqsStandIn();
  stops.unshift(sqs.close);
  const deadLetters = sqs.createQueue('event-dead-letters');
  settings.EVENTS_QUEUE_URL = sqs.createQueue('events', {
    visibilityTimeoutS: 6 * FUNCTION_SIZING.stateReports.timeoutS,
    redrive: { deadLetterQueue: 'event-dead-letters', maxReceiveCount: MAX_DELIVERIES },
  });
  settings.EVENTS_DEAD_LETTER_QUEUE_URL = deadLetters;
  process.env['AWS_ENDPOINT_URL_SQS'] = sqs.endpoint;
  return { rokid, sqs, deviceEventsSecret: settings.DEVICE_EVENTS_SECRET };
}

/** The consumer as deployed, fed batches from the queue. */
export const startLocalConsumer = (
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>,
  config: Config,
): QueuePoller =>
  startQueuePoller(handler, {
    queueUrl: config.EVENTS_QUEUE_URL ?? '',
    timeoutMs: FUNCTION_SIZING.stateReports.timeoutS * 1000,
    onError: (error) => console.error('state reports:', error instanceof Error ? error.message : error),
  });

/**
 * Once the driver's address is known: the local device cloud reports changes made at its devices to it, as a
 * vendor's would, and the playground gets what its state-report steps need (where Rokid is the stand-in).
 */
export function connectLocalEvents(
  events: { rokid: RokidStandIn | undefined; deviceEventsSecret: string },
  driver: { config: Config; driverUrl: string; deviceCloud: DeviceCloudServer | undefined },
): PlaygroundEvents | undefined {
  driver.deviceCloud?.reportTo(driver.driverUrl, events.deviceEventsSecret);
  return events.rokid && { rokid: events.rokid, deviceEventsSecret: events.deviceEventsSecret, ...driver };
}
