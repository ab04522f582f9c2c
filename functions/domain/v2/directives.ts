/**
 * v2's directives over the same domain as v1 (the digest's v1 → v2 mapping): Discover is /list, Control is
 * /execute and ReportState is /get, through one DeviceService and one device cloud, so v1 and v2 see one
 * state. Every answer is a v2 message; a failure the driver can name is an ErrorResponse.
 *
 * A Control (and AcceptGrant) acts at most once per (user, messageId): at-most-once.ts says how a resend is
 * answered, whatever happened to the first delivery.
 */
import type { DeviceService } from '../devices/device-service.ts';
import { hashedKey } from '../hashed-key.ts';
import type { CloudSession, Deadline, DiagnosticsLog } from '../ports.ts';
import { resolveAction } from '../protocol/action.ts';
import type { Invocation } from '../refresh/fresh-sessions.ts';
import type { AtMostOnce } from './at-most-once.ts';
import type { V2Authorization } from './authorization.ts';
import { endpointOf } from './endpoints.ts';
import { errorPayload, V2Error } from './errors.ts';
import { acceptGrantResponse, discoveryResponse, errorResponse, stateResponse, type V2Request } from './messages.ts';
import { actionFor } from './operations.ts';
import { type InterfaceState, statesOf } from './states.ts';

/** What a Control's Response told Rokid, for state reports' comparisons (functions/domain/events/sent-states.ts). */
export type SentStatesHook = { recordControl(vendorUserId: string, deviceId: string, states: InterfaceState[]): Promise<void> };

/** AcceptGrant's work (functions/domain/events/accept-grant.ts), given where state reports are on. */
export type AcceptGrant = (session: CloudSession, payload: unknown, deadline: Deadline) => Promise<void>;

export interface DirectiveContext {
  invocation: Invocation;
  deadline: Deadline;
}

export class V2Directives {
  readonly #authorization: V2Authorization;
  readonly #devices: DeviceService;
  readonly #once: AtMostOnce;
  readonly #log: DiagnosticsLog;
  readonly #acceptGrant: AcceptGrant | undefined;
  readonly #sentStates: SentStatesHook | undefined;

  constructor(deps: {
    authorization: V2Authorization;
    devices: DeviceService;
    once: AtMostOnce;
    log: DiagnosticsLog;
    /** Set where state reports are on: AcceptGrant is answered, and Discover marks endpoints proactively reported. */
    acceptGrant?: AcceptGrant;
    /** Set where state reports are on: a Control's Response is kept as what Rokid was last sent (events/sent-states.ts). */
    sentStates?: SentStatesHook;
  }) {
    this.#sentStates = deps.sentStates;
    this.#acceptGrant = deps.acceptGrant;
    this.#authorization = deps.authorization;
    this.#devices = deps.devices;
    this.#once = deps.once;
    this.#log = deps.log;
  }

  /** The reply to a request. Throws what the caller answers as an ErrorResponse (and, if not the driver's own, logs). */
  async answer(request: V2Request, context: DirectiveContext): Promise<unknown> {
    const session = await this.#authorization.open(request.authorization, context.invocation, context.deadline);
    const directive = `${request.namespace}/${request.name}`;
    if (directive === 'Rokid.Discovery/Discover') return this.#discover(session, request);
    if (directive === 'Rokid.Query/ReportState') return this.#reportState(session, request);
    if (request.namespace === 'Rokid.Control') return this.#control(session, request, context);
    const acceptGrant = this.#acceptGrant;
    if (directive === 'Rokid.Authorization/AcceptGrant' && acceptGrant) {
      // A code works once: a resend of the message must get the first answer, not a second exchange.
      return this.#once.run(delivery(session, request, context), {
        act: async (dispatch) => {
          await dispatch();
          await acceptGrant(session, request.payload, context.deadline);
          return acceptGrantResponse(request.messageId);
        },
        unconfirmed: async () => {
          throw new V2Error(
            'E_INTERNAL_ERROR',
            'An earlier delivery of this message sent its grant code to Rokid and got no answer in time; the code may have been used. Bind the skill again.',
            { vendorCode: 'GRANT_OUTCOME_UNKNOWN' },
          );
        },
        replyFor: (error) => errorResponse(request.messageId, errorPayload(error, context.invocation.requestId)),
      });
    }
    throw new V2Error(
      'E_NOT_SUPPORTED_DIRECTIVE',
      `This driver does not support ${request.namespace} / ${request.name}. It answers Rokid.Discovery/Discover, Rokid.Control/<Interface>.<Operation> and Rokid.Query/ReportState${acceptGrant ? ', and Rokid.Authorization/AcceptGrant' : ' (state reports are off, so not Rokid.Authorization/AcceptGrant)'}.`,
    );
  }

  async #discover(session: CloudSession, request: V2Request): Promise<unknown> {
    const sampledAt = new Date().toISOString();
    const endpoints = [];
    for (const device of await this.#devices.list(session)) {
      const made = endpointOf(device, { sampledAt, proactive: this.#acceptGrant !== undefined });
      if ('endpoint' in made) endpoints.push(made.endpoint);
      else this.#log.warn('Device left out of Discover: v2 cannot express it', { deviceId: device.deviceId, reason: made.omitted });
    }
    return discoveryResponse(request.messageId, endpoints);
  }

  async #reportState(session: CloudSession, request: V2Request): Promise<unknown> {
    const device = await this.#devices.get(session, endpointIdOf(request));
    return stateResponse(request.messageId, device.deviceId, statesOf(device.state, new Date()));
  }

  #control(session: CloudSession, request: V2Request, context: DirectiveContext): Promise<unknown> {
    const once = delivery(session, request, context);
    return this.#once.run(once, {
      act: async (dispatch) => {
        const device = await this.#devices.get(session, endpointIdOf(request));
        const action = resolveAction(device, actionFor(device, request.name, request.payload));
        await dispatch();
        // The cloud may see this message's key twice only if the driver itself retried: it never does.
        const state = await this.#devices.send(session, device.deviceId, action, { idempotencyKey: once.key });
        // Every retrievable state, after the change (contradiction 23), not only the one that changed.
        const states = statesOf({ ...device.state, ...state }, new Date());
        if (this.#sentStates)
          await recordBriefly(this.#sentStates.recordControl(session.vendorUserId, device.deviceId, states), context.deadline);
        return stateResponse(request.messageId, device.deviceId, states);
      },
      // What the device is now: whether the first delivery moved it there is what nobody knows.
      unconfirmed: async () => {
        try {
          return await this.#reportState(session, request);
        } catch {
          // The read's own failure would say nothing was done, and the device may have acted.
          throw new V2Error(
            'E_ENDPOINT_UNREACHABLE',
            `An earlier delivery of message ${request.messageId.slice(0, 64)} asked the device, and whether it acted is not known; its state cannot be read now either. Ask for its state in a moment.`,
            { vendorCode: 'OUTCOME_UNKNOWN', mayHaveActed: true },
          );
        }
      },
      replyFor: (error) => errorResponse(request.messageId, errorPayload(error, context.invocation.requestId)),
    });
  }
}

function delivery(session: CloudSession, request: V2Request, context: DirectiveContext) {
  return {
    key: hashedKey(session.vendorUserId, request.messageId),
    fingerprint: hashedKey(JSON.stringify([request.namespace, request.name, request.endpoint?.endpointId, request.payload])),
    messageId: request.messageId,
    directive: `${request.namespace}/${request.name}`.slice(0, 120),
    endpointId: request.endpoint?.endpointId.slice(0, 128),
    invocation: context.invocation,
    deadline: context.deadline,
  };
}

/**
 * Waits for what the Response told Rokid to be kept for state reports, briefly, and never fails the Control on it.
 * Waited for, because Lambda freezes whatever runs after the answer; briefly (300 ms at most), because the answer
 * matters more: a record missed leaves a later event without `state` compared with an older state than Rokid has.
 */
async function recordBriefly(recording: Promise<void>, deadline: Deadline): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const enough = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, Math.min(SENT_STATES_WAIT_MS, deadline.remainingMs() - SENT_STATES_WAIT_MS)));
  });
  try {
    await Promise.race([recording.catch(() => undefined), enough]);
  } finally {
    clearTimeout(timer);
  }
}
const SENT_STATES_WAIT_MS = 300;

function endpointIdOf(request: V2Request): string {
  if (!request.endpoint) throw new V2Error('E_NO_SUCH_ENDPOINT', `${request.namespace} / ${request.name} needs endpoint.endpointId.`);
  return request.endpoint.endpointId;
}
