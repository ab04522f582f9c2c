/**
 * Preflight's run of state reports, as deployed: AcceptGrant at /v2 with a code the Rokid stand-in's token
 * endpoint minted, then signed device events through POST /device-events, the queue and the consumer (polled by
 * the template's mapping) to the stand-in's gateway, then the refresh job with the grant due. The gateway's and
 * the queue's failures each path of the consumer and the webhook handles are scripted once, so that every grant
 * state reports hold is used: a 503 (the backoff: ChangeMessageVisibility), a 400 (the dead-letter queue), a 401
 * (the event token refreshed with the client secret), the webhook's queue down (the event id given back), a
 * token-endpoint outage, and a 403 (the grant ended).
 */
import { retryDelayS } from '../../functions/domain/events/delivery.ts';
import { capabilitiesOf, directive, field, records, type V2Authorization } from '../conformance/v2/context.ts';
import { postDeviceEvents } from '../local/device-events-client.ts';
import type { RokidStandIn } from '../stand-ins/rokid-events.ts';
import type { LocalCloud } from './local-cloud.ts';
import { resourcesOfType } from './template.ts';

export interface StateReportsRun {
  cloud: LocalCloud;
  rokid: RokidStandIn;
  /** The DeviceEventsSecret as the stand-in Secrets Manager holds it: the device cloud signs with it. */
  deviceEventsSecret: string;
  /** How AcceptGrant and Discover are authorized, and the vendor user that authorization names. */
  authorization: V2Authorization;
  vendorUserId: string;
  /** The console's custom header, where the template requires one. */
  headers: Record<string, string>;
  /** The logical id of the webhook's function. */
  webhookId: string;
}

/** Each step done, in order: `✓ what` or, at the first that went wrong, `✗ what: why` (the rest depend on it). */
export async function runStateReports(run: StateReportsRun): Promise<{ lines: string[]; failed: boolean }> {
  const { cloud, rokid } = run;
  const rokidUserId = `rokid-${run.vendorUserId}`;
  const v2 = async (message: unknown) => {
    const response = await fetch(`${cloud.url}/v2`, { method: 'POST', headers: run.headers, body: JSON.stringify(message) });
    return (await response.json()) as unknown;
  };
  let n = 0;
  let endpointId = '';
  const report = (id = `preflight-event-${++n}`) =>
    postDeviceEvents(cloud.url, run.deviceEventsSecret, [
      { id, userId: run.vendorUserId, deviceId: endpointId, type: 'changed', state: { switch: 'on' } },
    ]);
  /** Queues one event, polls the queue until it is empty, and answers the gateway's statuses for it. */
  const delivered = async (id?: string) => {
    const before = rokid.received.length;
    const answer = await report(id);
    if (answer.status !== 202) throw new Error(`POST /device-events answered ${answer.status}, not 202`);
    await cloud.drainQueues();
    return rokid.received.slice(before).map((event) => event.status);
  };
  const expectStatuses = (got: number[], expected: number[]) => {
    if (got.join() !== expected.join()) throw new Error(`the gateway answered [${got.join(', ')}], not [${expected.join(', ')}]`);
  };
  const [deadLettersId] = resourcesOfType(cloud.assembly, 'AWS::SQS::Queue').find(([id]) => id.includes('DeadLetter')) ?? [];
  const deadLetters = () => (deadLettersId ? cloud.sqs.depth(cloud.physical(deadLettersId, 'QueueName')) : 0);

  const steps: [string, () => Promise<void>][] = [
    [
      'AcceptGrant with a code from the Rokid stand-in, exchanged at its token endpoint',
      async () => {
        const answer = await v2(
          directive('Rokid.Authorization', 'AcceptGrant', run.authorization, {
            payload: { grant: { type: 'OAuth2.AuthorizationCode', code: rokid.issueCode(rokidUserId), userId: rokidUserId } },
          }),
        );
        const name = field(answer, 'header', 'name');
        if (name !== 'AcceptGrantResponse') throw new Error(`answered ${String(name)}: ${String(field(answer, 'payload', 'message'))}`);
      },
    ],
    [
      'Discover names a switch proactively reported',
      async () => {
        const endpoints = records(field(await v2(directive('Rokid.Discovery', 'Discover', run.authorization)), 'payload', 'endpoints'));
        const reported = endpoints.find((endpoint) =>
          capabilitiesOf(endpoint).some((c) => c['interface'] === 'Switch' && c['proactivelyReported'] === true),
        );
        if (!reported) throw new Error(`none of the ${endpoints.length} endpoints has a proactively reported Switch`);
        endpointId = String(reported['endpointId']);
      },
    ],
    [
      'a signed device event: webhook, queue, consumer, and the gateway took its ChangeReport',
      async () => {
        expectStatuses(await delivered('preflight-event-once'), [202]);
        const message = rokid.received.at(-1)?.message;
        if (field(message, 'header', 'name') !== 'ChangeReport' || field(message, 'endpoint', 'endpointId') !== endpointId) {
          throw new Error(`the gateway got ${String(field(message, 'header', 'name'))}, not a ChangeReport for ${endpointId}`);
        }
      },
    ],
    [
      'the same event id again is dropped as a duplicate',
      async () => {
        const answer = await report('preflight-event-once');
        if (answer.status !== 202 || JSON.parse(answer.body).duplicates !== 1) throw new Error(`answered ${answer.status} ${answer.body}`);
      },
    ],
    [
      'the gateway answers 503 once: the event is retried after its backoff (ChangeMessageVisibility)',
      async () => {
        rokid.gatewayFault = 503;
        const first = await delivered().finally(() => {
          rokid.gatewayFault = undefined;
        });
        cloud.advanceQueues(retryDelayS(1) * 1000);
        await cloud.drainQueues();
        expectStatuses([...first, ...rokid.received.slice(-1).map((e) => e.status)], [503, 202]);
      },
    ],
    [
      'the gateway answers 400: the event is set aside in the dead-letter queue',
      async () => {
        const before = deadLetters();
        rokid.gatewayFault = 400;
        const statuses = await delivered().finally(() => {
          rokid.gatewayFault = undefined;
        });
        expectStatuses(statuses, [400]);
        if (deadLetters() !== before + 1) throw new Error('the dead-letter queue did not get it');
      },
    ],
    [
      "the gateway answers 401: the consumer refreshes the event token with Rokid's client secret and resends",
      async () => {
        rokid.expireTokens();
        expectStatuses(await delivered(), [401, 202]);
      },
    ],
    [
      "the webhook's queue fails once: 503, the event id given back, and the resent event queued",
      async () => {
        cloud.fail(run.webhookId, 'sqs', 'ServiceUnavailable', 1);
        const refused = await report('preflight-event-resent');
        if (refused.status !== 503) throw new Error(`POST /device-events answered ${refused.status}, not 503`);
        expectStatuses(await delivered('preflight-event-resent'), [202]);
      },
    ],
    [
      'the refresh job refreshes the grant, which is due (the stand-in issues 5-minute tokens)',
      async () => {
        const [job] = (await cloud.runSchedules()) as { grantsRefreshed?: number }[];
        if (!job?.grantsRefreshed) throw new Error(`the job answered ${JSON.stringify(job)}`);
      },
    ],
    [
      "the token endpoint is down: the refresh job counts the grant's refresh as failed",
      async () => {
        rokid.tokenFault = 503;
        const [job] = (await cloud.runSchedules().finally(() => {
          rokid.tokenFault = undefined;
        })) as { grantsFailed?: number }[];
        if (!job?.grantsFailed) throw new Error(`the job answered ${JSON.stringify(job)}`);
      },
    ],
    [
      'the user turns the skill off: the gateway answers 403, the grant ends, and nothing more is sent with it',
      async () => {
        rokid.revoke(rokidUserId);
        expectStatuses(await delivered(), [403]);
        expectStatuses(await delivered(), []);
      },
    ],
  ];
  const lines: string[] = [];
  for (const [what, step] of steps) {
    try {
      await step();
      lines.push(`✓ ${what}`);
    } catch (error) {
      lines.push(`✗ ${what}: ${error instanceof Error ? error.message : String(error)}`);
      return { lines, failed: true };
    }
  }
  return { lines, failed: false };
}
