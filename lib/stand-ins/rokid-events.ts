/**
 * A stand-in for Rokid's side of state reports, on loopback (the digest's 7.1–7.4): the token endpoint at
 * `oauth-service.rokid.com/oauth/token` that AcceptGrant's code is exchanged at and event tokens are refreshed at,
 * the EventGateway at `homebase-openapi.rokid.com/async/events`, and the planned `/report/failed`.
 *
 * The gateway checks each event as the digest reads the docs: header (namespace and name as notify.md pairs them,
 * messageId, payloadVersion "v1", a BearerToken authorization), the endpoint and every state, and answers as
 * event-gateway.md documents: 202 (empty), 400 (not the expected format), 401 (the token expired), 403 (unknown
 * or revoked token), 422 (well-formed, but names what cannot be processed). What it received is kept, for the
 * playground's events pane and the tests. Outages and refusals can be switched on.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { isRecord } from '../../functions/domain/json.ts';
import { listen } from '../local/loopback.ts';
import { gatewayVerdict } from './rokid-gateway-rules.ts';

export { gatewayVerdict } from './rokid-gateway-rules.ts';

export interface ReceivedEvent {
  /** Milliseconds since the epoch, by the stand-in's clock. */
  receivedAt: number;
  status: number;
  /** Why it was refused (400, 422), in the gateway's words. */
  problems: string[];
  /** The event as it arrived, its token masked. */
  message: unknown;
}

export interface RokidStandIn {
  url: string;
  tokenUrl: string;
  gatewayUrl: string;
  reportFailedUrl: string;
  clientId: string;
  clientSecret: string;
  /** A one-time code for AcceptGrant, as Rokid mints one when a user binds the skill. */
  issueCode(rokidUserId: string): string;
  /** An event token handed over directly, as authorization.md's older BearerToken grant does. */
  issueToken(rokidUserId: string): string;
  received: ReceivedEvent[];
  /** Only the accepted ones (202). */
  accepted(): ReceivedEvent[];
  /** The gateway answers this status to every event until cleared (`undefined`); 'hang' answers nothing. */
  gatewayFault: number | 'hang' | undefined;
  /** The token endpoint answers this status (an outage) until cleared. */
  tokenFault: number | undefined;
  /** Every token issued so far expires now: the gateway answers 401, and a refresh mends it. */
  expireTokens(): void;
  /** A Rokid user turns the skill off: their tokens get 403 and their refresh token invalid_grant. */
  revoke(rokidUserId: string): void;
  /** The gateway refuses a Rokid user's tokens (403), fresh ones too, while their refresh token still works. */
  forbid(rokidUserId: string): void;
  /** Statuses the gateway answers to the next events, one each, before it judges them as usual. */
  nextGatewayFaults: number[];
  /** Token requests by grant type, and how the client authenticated. */
  tokenRequests: Array<{ grantType: string; auth: 'basic' | 'form' | 'none'; ok: boolean }>;
  /** `/report/failed` calls whose signature held. */
  reportedFailed: string[];
  close(): Promise<void>;
}

export interface RokidStandInOptions {
  clientId?: string;
  clientSecret?: string;
  /** Which client authentication the token endpoint takes: Basic, form credentials, or either (default). */
  clientAuth?: 'basic' | 'form' | 'either';
  /** Lifetime of an event token. */
  accessTtlS?: number;
  /** The token answer names the Rokid user (`userId`), as no Rokid doc says it does: the driver then trusts the label. */
  tokenNamesUser?: boolean;
  now?: () => number;
}

export async function startRokidStandIn(options: RokidStandInOptions = {}): Promise<RokidStandIn> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? 'rokid-events-local';
  const clientSecret = options.clientSecret ?? randomBytes(18).toString('base64url');
  const ttlS = options.accessTtlS ?? 7200;
  const codes = new Map<string, string>();
  const tokens = new Map<string, { rokidUserId: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();
  const revoked = new Set<string>();
  const forbidden = new Set<string>();
  const received: ReceivedEvent[] = [];
  const tokenRequests: RokidStandIn['tokenRequests'] = [];
  const reportedFailed: string[] = [];

  const mint = (rokidUserId: string) => {
    const accessToken = `rk-at-${randomBytes(18).toString('base64url')}`;
    const refreshToken = `rk-rt-${randomBytes(18).toString('base64url')}`;
    tokens.set(accessToken, { rokidUserId, expiresAt: now() + ttlS * 1000 });
    refreshTokens.set(refreshToken, rokidUserId);
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ttlS,
      token_type: 'bearer',
      ...(options.tokenNamesUser ? { userId: rokidUserId } : {}),
    };
  };

  const stand: RokidStandIn = {
    url: '',
    tokenUrl: '',
    gatewayUrl: '',
    reportFailedUrl: '',
    clientId,
    clientSecret,
    issueCode(rokidUserId) {
      const code = randomBytes(12).toString('base64url');
      codes.set(code, rokidUserId);
      revoked.delete(rokidUserId);
      return code;
    },
    issueToken(rokidUserId) {
      revoked.delete(rokidUserId);
      return mint(rokidUserId).access_token;
    },
    received,
    accepted: () => received.filter((event) => event.status === 202),
    gatewayFault: undefined,
    tokenFault: undefined,
    expireTokens() {
      for (const token of tokens.values()) token.expiresAt = Math.min(token.expiresAt, now() - 1);
    },
    revoke(rokidUserId) {
      revoked.add(rokidUserId);
    },
    forbid(rokidUserId) {
      forbidden.add(rokidUserId);
    },
    nextGatewayFaults: [],
    tokenRequests,
    reportedFailed,
    close: async () => undefined,
  };

  const clientOf = (
    headers: Record<string, string | string[] | undefined>,
    form: URLSearchParams,
  ): { auth: 'basic' | 'form' | 'none'; ok: boolean } => {
    const basic = /^Basic (.+)$/i.exec(String(headers['authorization'] ?? ''))?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64')
        .toString()
        .split(':')
        .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      return { auth: 'basic', ok: options.clientAuth !== 'form' && id === clientId && secret === clientSecret };
    }
    if (form.has('client_id')) {
      return {
        auth: 'form',
        ok: options.clientAuth !== 'basic' && form.get('client_id') === clientId && form.get('client_secret') === clientSecret,
      };
    }
    return { auth: 'none', ok: false };
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString();
    const json = (status: number, body?: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0];

    if (req.method === 'POST' && path === '/oauth/token') {
      const form = new URLSearchParams(raw);
      const client = clientOf(req.headers, form);
      const grantType = form.get('grant_type') ?? '';
      tokenRequests.push({ grantType, auth: client.auth, ok: client.ok });
      if (stand.tokenFault !== undefined) return json(stand.tokenFault, { error: 'temporarily_unavailable' });
      if (!client.ok) return json(401, { error: 'invalid_client', error_description: 'client authentication failed' });
      if (grantType === 'authorization_code') {
        const rokidUserId = codes.get(form.get('code') ?? '');
        if (!rokidUserId) return json(400, { error: 'invalid_grant', error_description: 'unknown or used code' });
        codes.delete(form.get('code') ?? '');
        return json(200, mint(rokidUserId));
      }
      if (grantType === 'refresh_token') {
        const presented = form.get('refresh_token') ?? '';
        const rokidUserId = refreshTokens.get(presented);
        if (!rokidUserId || revoked.has(rokidUserId))
          return json(400, { error: 'invalid_grant', error_description: 'refresh token is not valid' });
        // Rotating: the old refresh token is used up.
        refreshTokens.delete(presented);
        return json(200, mint(rokidUserId));
      }
      return json(400, { error: 'unsupported_grant_type' });
    }

    if (req.method === 'POST' && path === '/report/failed') {
      const form = new URLSearchParams(raw);
      const signed = `userId=${encodeURIComponent(form.get('userId') ?? '')}&clientId=${encodeURIComponent(form.get('clientId') ?? '')}`;
      const expected = createHmac('sha256', clientSecret).update(signed).digest();
      const sign = Buffer.from(form.get('sign') ?? '', 'hex');
      if (form.get('clientId') !== clientId || sign.length !== expected.length || !timingSafeEqual(sign, expected)) {
        return json(401, { error: 'bad sign' });
      }
      reportedFailed.push(form.get('userId') ?? '');
      return json(200, {});
    }

    if (req.method === 'POST' && path === '/async/events') {
      const fault = stand.nextGatewayFaults.shift() ?? stand.gatewayFault;
      if (fault === 'hang') return; // the driver's timeout ends it
      const record = (status: number, problems: string[], message: unknown) => {
        received.push({ receivedAt: now(), status, problems, message: masked(message) });
        json(status, status === 202 ? undefined : { problems });
      };
      if (typeof fault === 'number') return record(fault, [`fault switched on: ${fault}`], parse(raw));
      const message = parse(raw);
      const verdict = gatewayVerdict(message, String(req.headers['authorization'] ?? ''));
      if (verdict) return record(verdict.status, verdict.problems, message);
      const token = String(
        (message as Record<string, Record<string, Record<string, unknown>>>)['header']?.['authorization']?.['token'] ?? '',
      );
      const known = tokens.get(token);
      if (!known || revoked.has(known.rokidUserId) || forbidden.has(known.rokidUserId))
        return record(403, ['the token is not valid, or the skill is off for this user'], message);
      if (known.expiresAt <= now()) return record(401, ['the token has expired'], message);
      return record(202, [], message);
    }
    json(404, { error: 'not found' });
  });
  const listening = await listen(server);
  stand.url = listening.url;
  stand.tokenUrl = `${listening.url}/oauth/token`;
  stand.gatewayUrl = `${listening.url}/async/events`;
  stand.reportFailedUrl = `${listening.url}/report/failed`;
  stand.close = listening.close;
  return stand;
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function masked(message: unknown): unknown {
  if (!isRecord(message) || !isRecord(message['header']) || !isRecord(message['header']['authorization'])) return message;
  return { ...message, header: { ...message['header'], authorization: { ...message['header']['authorization'], token: '…' } } };
}
