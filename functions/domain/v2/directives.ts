/**
 * v2's directives over the same domain as v1 (the digest's v1 → v2 mapping): Discover is /list, Control is
 * /execute and ReportState is /get, through one DeviceService and one device cloud, so v1 and v2 see one
 * state. Every answer is a v2 message; a failure the driver can name is an ErrorResponse.
 *
 * A Control acts at most once per (user, messageId): Rokid resends a message it believes lost with the same
 * messageId, and the resend gets the first answer, errors included. A resend that arrives while the first is
 * still at work waits for its answer within the deadline, else is told the endpoint is busy.
 */
import { crypto } from '../../runtime/builtins.ts';
import type { DeviceService } from '../devices/device-service.ts';
import type { Clock, CloudSession, Deadline, DiagnosticsLog, ReplyStore } from '../ports.ts';
import type { Invocation } from '../refresh/fresh-sessions.ts';
import type { V2Authorization } from './authorization.ts';
import { endpointOf } from './endpoints.ts';
import { errorPayload, isNamedFailure, V2Error } from './errors.ts';
import { actionFor, type InterfaceState, statesOf } from './interfaces.ts';
import { acceptGrantResponse, discoveryResponse, errorResponse, stateResponse, type V2Request } from './messages.ts';

const { createHash } = crypto;

/** What a Control's Response told Rokid, for state reports' comparisons (functions/domain/events/sent-states.ts). */
export type SentStatesHook = { recordControl(vendorUserId: string, deviceId: string, states: InterfaceState[]): Promise<void> };

/** AcceptGrant's work (functions/domain/events/accept-grant.ts), given where state reports are on. */
export type AcceptGrant = (session: CloudSession, payload: unknown, deadline: Deadline) => Promise<void>;

export interface DirectiveContext {
  invocation: Invocation;
  deadline: Deadline;
}

/** How long an answer is kept for a resend (the 10 minutes), and how long a claim may run unanswered. */
export const REPLY_KEEP_S = 600;
const CLAIM_LEASE_S = 10;

export class V2Directives {
  readonly #authorization: V2Authorization;
  readonly #devices: DeviceService;
  readonly #replies: ReplyStore;
  readonly #clock: Clock;
  readonly #log: DiagnosticsLog;
  readonly #pollMs: number;
  readonly #acceptGrant: AcceptGrant | undefined;
  readonly #sentStates: SentStatesHook | undefined;

  constructor(deps: {
    authorization: V2Authorization;
    devices: DeviceService;
    replies: ReplyStore;
    clock: Clock;
    log: DiagnosticsLog;
    /** How often a resend looks for the first delivery's answer. */
    pollMs?: number;
    /** Set where state reports are on: AcceptGrant is answered, and Discover marks endpoints proactively reported. */
    acceptGrant?: AcceptGrant;
    /** Set where state reports are on: a Control's Response is kept as what Rokid was last sent (events/sent-states.ts). */
    sentStates?: SentStatesHook;
  }) {
    this.#sentStates = deps.sentStates;
    this.#acceptGrant = deps.acceptGrant;
    this.#authorization = deps.authorization;
    this.#devices = deps.devices;
    this.#replies = deps.replies;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#pollMs = deps.pollMs ?? 50;
  }

  /** The reply to a request. Throws what the caller answers as an ErrorResponse (and, if not the driver's own, logs). */
  async answer(request: V2Request, context: DirectiveContext): Promise<unknown> {
    const session = await this.#authorization.open(request.authorization, context.invocation, context.deadline);
    const directive = `${request.namespace}/${request.name}`;
    if (directive === 'Rokid.Discovery/Discover') return this.#discover(session, request);
    if (directive === 'Rokid.Query/ReportState') return this.#reportState(session, request);
    if (request.namespace === 'Rokid.Control') return this.#once(session, request, context, () => this.#control(session, request));
    const acceptGrant = this.#acceptGrant;
    if (directive === 'Rokid.Authorization/AcceptGrant' && acceptGrant) {
      // A code works once: a resend of the message must get the first answer, not a second exchange.
      return this.#once(session, request, context, async () => {
        await acceptGrant(session, request.payload, context.deadline);
        return acceptGrantResponse(request.messageId);
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

  async #control(session: CloudSession, request: V2Request): Promise<unknown> {
    const device = await this.#devices.get(session, endpointIdOf(request));
    const state = await this.#devices.apply(session, device, actionFor(device, request.name, request.payload));
    // Every retrievable state, after the change (contradiction 23), not only the one that changed.
    const states = statesOf({ ...device.state, ...state }, new Date());
    // Best-effort and not waited for: a write per grant, off the Control's path, never failing it.
    this.#sentStates?.recordControl(session.vendorUserId, device.deviceId, states).catch(() => undefined);
    return stateResponse(request.messageId, device.deviceId, states);
  }

  async #once(session: CloudSession, request: V2Request, context: DirectiveContext, act: () => Promise<unknown>): Promise<unknown> {
    const key = createHash('sha256').update(`${session.vendorUserId}\u0000${request.messageId}`).digest('base64url');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([request.namespace, request.name, request.endpoint?.endpointId, request.payload]))
      .digest('base64url');
    for (;;) {
      const now = this.#clock.now();
      const claim = await this.#replies.claim(key, fingerprint, now, now + CLAIM_LEASE_S);
      if (claim.kind === 'claimed') return this.#actAndKeep(key, claim.claimId, request, context, act);
      // A resend asks the same; the same messageId asking something else is a client's mistake, not a resend.
      if (claim.fingerprint !== undefined && claim.fingerprint !== fingerprint) {
        throw new V2Error(
          'E_INTERNAL_ERROR',
          `messageId ${request.messageId.slice(0, 64)} was used in the last 10 minutes for a different directive; send each message with a messageId of its own.`,
        );
      }
      if (claim.kind === 'answered') return claim.reply;
      if (context.deadline.remainingMs() <= this.#pollMs * 2) {
        throw new V2Error(
          'E_ENDPOINT_BUSY',
          `Message ${request.messageId.slice(0, 64)} is already being handled by an earlier delivery, whose answer was not ready in time. Ask again in a moment.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
  }

  async #actAndKeep(
    key: string,
    claimId: string,
    request: V2Request,
    context: DirectiveContext,
    act: () => Promise<unknown>,
  ): Promise<unknown> {
    let reply: unknown;
    try {
      reply = await act();
    } catch (error) {
      if (!isNamedFailure(error)) {
        // Not one of the driver's answers: a resend may try again.
        await this.#replies.release(key, claimId).catch(() => undefined);
        throw error;
      }
      reply = errorResponse(request.messageId, errorPayload(error, context.invocation.requestId));
    }
    await this.#replies.save(key, claimId, reply, this.#clock.now() + REPLY_KEEP_S);
    return reply;
  }
}

function endpointIdOf(request: V2Request): string {
  if (!request.endpoint) throw new V2Error('E_NO_SUCH_ENDPOINT', `${request.namespace} / ${request.name} needs endpoint.endpointId.`);
  return request.endpoint.endpointId;
}
