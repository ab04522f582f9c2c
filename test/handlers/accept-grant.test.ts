/**
 * AcceptGrant (Rokid.Authorization) at /v2, through the real directive handler, the embedded DynamoDB and the
 * Rokid stand-in: both grant types, the exact ErrorResponse for every refusal, at most one exchange per messageId,
 * one grant per Rokid user, and a grant ended with the link that made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoHome } from '../../functions/adapters/device-cloud/virtual/demo-home.ts';
import { grantKeyOf } from '../../functions/domain/events/grant.ts';
import { eventKeyOf } from '../../functions/domain/events/intake.ts';
import { eventMessageId } from '../../functions/domain/events/reports.ts';
import { startHandlers } from '../support/handlers.ts';
import { startStateReports } from '../support/state-reports.ts';
import { bearer, v2Message } from '../support/v2.ts';

let harness: Awaited<ReturnType<typeof startStateReports>>;
let userAuth: { userId: string; userToken: string };
beforeAll(async () => {
  harness = await startStateReports({ rokid: { clientAuth: 'form' } });
  userAuth = await harness.login();
}, 30_000);
afterAll(() => harness.close());

const grantMessage = (grant: unknown, messageId?: string) =>
  v2Message('Rokid.Authorization', 'AcceptGrant', bearer(userAuth.userToken), { payload: { grant }, ...(messageId ? { messageId } : {}) });
const storedGrant = (label: string | undefined, linkId?: string) => harness.storedGrant(userAuth.userId, label, linkId);

describe('accepted', () => {
  it('a code is exchanged (Basic refused, then the form credentials), the grant stored sealed, and AcceptGrantResponse answered', async () => {
    const code = harness.rokid.issueCode('rokid-a');
    const answer = await harness.v2(grantMessage({ type: 'OAuth2.AuthorizationCode', code, userId: 'rokid-a' }, 'g-1'));
    expect(answer).toEqual({
      header: { namespace: 'Rokid.Authorization', name: 'AcceptGrantResponse', messageId: 'g-1', payloadVersion: 'v1' },
      payload: {},
    });
    expect(harness.rokid.tokenRequests.slice(-2)).toEqual([
      { grantType: 'authorization_code', auth: 'basic', ok: false },
      { grantType: 'authorization_code', auth: 'form', ok: true },
    ]);
    const item = await storedGrant('rokid-a');
    expect(item).toMatchObject({
      rokidUserId: 'rokid-a',
      // The token endpoint did not name the user: the label is no one's word but the message's.
      labelVerified: false,
      status: 'active',
      type: 'OAuth2.AuthorizationCode',
      vendorUserId: userAuth.userId,
      refreshAt: expect.any(Number),
    });
    // Sealed: no token in clear anywhere in the item.
    expect(JSON.stringify(item)).not.toMatch(/rk-(at|rt)-/);
  });

  it('a resend of the same message gets the first answer, and the code is not exchanged again', async () => {
    const code = harness.rokid.issueCode('rokid-b');
    const message = grantMessage({ type: 'OAuth2.AuthorizationCode', code, userId: 'rokid-b' }, 'g-resend');
    const exchanges = () => harness.rokid.tokenRequests.filter((r) => r.grantType === 'authorization_code' && r.ok).length;
    const before = exchanges();
    const [first, second] = [await harness.v2(message), await harness.v2(message)];
    expect(second).toEqual(first);
    expect(first.header.name).toBe('AcceptGrantResponse');
    expect(exchanges()).toBe(before + 1);
  });

  it('an older BearerToken grant is stored as it is, with nothing to refresh, under the link that made it', async () => {
    await harness.v2(grantMessage({ type: 'BearerToken', token: harness.rokid.issueToken('rokid-d') }));
    const linkId = userAuth.userToken.split('.')[1];
    const item = await storedGrant(undefined, linkId);
    expect(item).toMatchObject({ status: 'active', type: 'BearerToken', vendorUserId: userAuth.userId });
    expect(item).not.toHaveProperty('refreshAt');
  });

  it("a BearerToken grant's userId (authorization.md defines none) is ignored: no label, kept under the link", async () => {
    const answer = await harness.v2(grantMessage({ type: 'BearerToken', token: harness.rokid.issueToken('rokid-c'), userId: 'rokid-c' }));
    expect(answer.header.name).toBe('AcceptGrantResponse');
    expect(await storedGrant('rokid-c')).toBeUndefined();
    const item = await storedGrant(undefined, userAuth.userToken.split('.')[1]);
    expect(item).toMatchObject({ status: 'active', type: 'BearerToken' });
    expect(item).not.toHaveProperty('rokidUserId');
  });

  it('a newer grant of the same Rokid user replaces the older one', async () => {
    await harness.v2(grantMessage({ type: 'OAuth2.AuthorizationCode', code: harness.rokid.issueCode('rokid-e'), userId: 'rokid-e' }));
    const first = await storedGrant('rokid-e');
    await harness.v2(grantMessage({ type: 'OAuth2.AuthorizationCode', code: harness.rokid.issueCode('rokid-e'), userId: 'rokid-e' }));
    const second = await storedGrant('rokid-e');
    expect(second!['grantedAtMs']).toBeGreaterThan(first!['grantedAtMs']);
    expect(second!['credentials']['sealed']).not.toBe(first!['credentials']['sealed']);
    // The user who bound again gets an event once, with the newer grant's token.
    await harness.call('list', JSON.stringify({ userAuth }));
    const deviceId = demoHome(userAuth.userId)[0]!.deviceId;
    harness.rokid.received.length = 0;
    await harness.postEvents({
      events: [{ id: 'relinked-1', userId: userAuth.userId, deviceId, type: 'changed', state: { switch: 'on' } }],
    });
    await harness.drain();
    const forRokidE = eventMessageId(eventKeyOf(userAuth.userId, 'relinked-1'), grantKeyOf('rokid-e', { vendorUserId: userAuth.userId }));
    const received = harness.rokid.received.filter((e) => (e.message as { header: { messageId: string } }).header.messageId === forRokidE);
    expect(received.map((e) => e.status)).toEqual([202]);
  });
});

describe('refused, each with an ErrorResponse a person can act on', () => {
  // The driver's own failures, never E_INVALID_AUTHORIZATION: Rokid would end the user's binding for good on that name.
  const cases: Array<[string, unknown, string, string, string]> = [
    [
      'no grant',
      undefined,
      'E_INTERNAL_ERROR',
      'GRANT_MALFORMED',
      'AcceptGrant needs payload.grant: {type: "OAuth2.AuthorizationCode", code, userId} or {type: "BearerToken", token}.',
    ],
    [
      'a grant type nobody documents',
      { type: 'Password', code: 'c' },
      'E_INTERNAL_ERROR',
      'GRANT_MALFORMED',
      'AcceptGrant needs payload.grant: {type: "OAuth2.AuthorizationCode", code, userId} or {type: "BearerToken", token}.',
    ],
    [
      'a code grant without the Rokid user',
      { type: 'OAuth2.AuthorizationCode', code: 'c' },
      'E_INTERNAL_ERROR',
      'GRANT_MALFORMED',
      'AcceptGrant needs payload.grant: {type: "OAuth2.AuthorizationCode", code, userId} or {type: "BearerToken", token}.',
    ],
    [
      'a code Rokid never issued (or already used)',
      { type: 'OAuth2.AuthorizationCode', code: 'not-a-code', userId: 'rokid-x' },
      'E_INTERNAL_ERROR',
      'GRANT_CODE_REFUSED',
      "Rokid's token endpoint refused the grant code (invalid_grant): it may have been used or have expired. Bind the skill again.",
    ],
  ];
  it.each(cases)('%s: %s (%s)', async (_label, grant, name, vendorCode, message) => {
    const answer = await harness.v2(grantMessage(grant));
    expect(answer.header).toMatchObject({ namespace: 'Rokid', name: 'ErrorResponse' });
    expect(answer.payload).toMatchObject({ name, vendorCode, message });
  });

  it("Rokid's token endpoint down: E_INTERNAL_ERROR, nothing stored, and a resend never sends the code again", {
    timeout: 30_000,
  }, async () => {
    harness.rokid.tokenFault = 503;
    const message = grantMessage(
      { type: 'OAuth2.AuthorizationCode', code: harness.rokid.issueCode('rokid-down'), userId: 'rokid-down' },
      'g-down',
    );
    const exchangesBefore = harness.rokid.tokenRequests.length;
    const answer = await harness.v2(message);
    harness.rokid.tokenFault = undefined;
    const exchanges = harness.rokid.tokenRequests.length - exchangesBefore;
    // The code may have been used: once the first delivery's invocation has ended, a resend is told so, and sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const resent = await harness.v2(message);
    expect(resent.payload).toMatchObject({
      name: 'E_INTERNAL_ERROR',
      vendorCode: 'GRANT_OUTCOME_UNKNOWN',
      message:
        'An earlier delivery of this message sent its grant code to Rokid and got no answer in time; the code may have been used. Bind the skill again.',
    });
    expect(harness.rokid.tokenRequests.length - exchangesBefore).toBe(exchanges);
    expect(answer.payload).toMatchObject({
      name: 'E_INTERNAL_ERROR',
      vendorCode: 'GRANT_EXCHANGE_UNAVAILABLE',
      message: "Rokid's token endpoint did not answer the code exchange in time. Bind the skill again in a moment.",
    });
    expect(await storedGrant('rokid-down')).toBeUndefined();
  });
});

describe('ended with the link', () => {
  it('revoking the link (Homebase unlinking at /oauth2/revoke, or an operator) ends the grants it made', async () => {
    const user = await harness.login();
    await harness.v2(
      v2Message('Rokid.Authorization', 'AcceptGrant', bearer(user.userToken), {
        payload: { grant: { type: 'OAuth2.AuthorizationCode', code: harness.rokid.issueCode('rokid-unlinked'), userId: 'rokid-unlinked' } },
      }),
    );
    const { tableOf } = await import('../../functions/composition/table.ts');
    const { linkRevoker } = await import('../../functions/composition/link-revoker.ts');
    const config = harness.config();
    const linkId = user.userToken.split('.')[1]!;
    const outcome = await linkRevoker(config, tableOf(config)).revokeLink(linkId, 'operator');
    expect(outcome.kind).toBe('revoked');
    expect(await harness.storedGrant(user.userId, 'rokid-unlinked')).toMatchObject({ status: 'ended', endedBecause: 'link_revoked' });
    // The other grants of the same vendor user, made with other links, are left alone.
    expect(await storedGrant('rokid-a')).toMatchObject({ status: 'active' });
  });

  it('the refresh run retiring a link whose driver tokens all expired ends the grants it made', async () => {
    const user = await harness.login();
    await harness.v2(
      v2Message('Rokid.Authorization', 'AcceptGrant', bearer(user.userToken), {
        payload: { grant: { type: 'OAuth2.AuthorizationCode', code: harness.rokid.issueCode('rokid-retired'), userId: 'rokid-retired' } },
      }),
    );
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { keys } = await import('../../functions/adapters/dynamodb/table.ts');
    const past = Math.floor(Date.now() / 1000) - 1;
    await harness.table.db.send(
      new UpdateCommand({
        TableName: harness.table.tableName,
        Key: keys.link(user.userToken.split('.')[1]!),
        UpdateExpression: 'SET userTokenExpiresAt = :past, refreshTokenExpiresAt = :past, refreshDueAt = :past',
        ExpressionAttributeValues: { ':past': past },
      }),
    );
    expect(await harness.runRefresh()).toMatchObject({ retired: 1 });
    expect(await harness.storedGrant(user.userId, 'rokid-retired')).toMatchObject({ status: 'ended', endedBecause: 'link_revoked' });
    expect(await storedGrant('rokid-a')).toMatchObject({ status: 'active' });
  });
});

// Last: each starts a driver of its own, whose close() resets the environment the one above runs in.
describe('with other settings', () => {
  it('a client secret Rokid refuses: E_INTERNAL_ERROR naming the settings to check', async () => {
    const wrong = await startStateReports({ settings: { ROKID_EVENTS_CLIENT_SECRET: 'not-the-secret' } });
    try {
      const user = await wrong.login();
      const answer = await wrong.v2(
        v2Message('Rokid.Authorization', 'AcceptGrant', bearer(user.userToken), {
          payload: { grant: { type: 'OAuth2.AuthorizationCode', code: wrong.rokid.issueCode('r'), userId: 'r' } },
        }),
      );
      expect(answer.payload).toMatchObject({
        name: 'E_INTERNAL_ERROR',
        message:
          "Rokid's token endpoint refused the driver's client credentials: its operators must check ROKID_EVENTS_CLIENT_ID and ROKID_EVENTS_CLIENT_SECRET against the console (上报设备状态).",
      });
    } finally {
      await wrong.close();
    }
  });

  it('state reports off: E_NOT_SUPPORTED_DIRECTIVE, saying so', async () => {
    const off = await startHandlers();
    try {
      const user = (await off.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } })))
        .data as { userToken: string };
      const answer = await off.v2(v2Message('Rokid.Authorization', 'AcceptGrant', bearer(user.userToken), { payload: { grant: {} } }));
      expect(answer.payload).toMatchObject({
        name: 'E_NOT_SUPPORTED_DIRECTIVE',
        message:
          'This driver does not support Rokid.Authorization / AcceptGrant. It answers Rokid.Discovery/Discover, Rokid.Control/<Interface>.<Operation> and Rokid.Query/ReportState (state reports are off, so not Rokid.Authorization/AcceptGrant).',
      });
    } finally {
      await off.close();
    }
  });
});
