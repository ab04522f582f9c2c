/**
 * POST /v2 against the real handler, the embedded DynamoDB and the UserCenter stand-in: every way a message
 * can be wrong, each by its exact v2 error name, and always HTTP 200 with a v2 ErrorResponse.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamodb/table.ts';
import { linkIdOf } from '../../functions/domain/vault/tokens.ts';
import { startHandlers } from '../support/handlers.ts';
import { bearer, control, discover, jwt, reportState, signJwt, v2Message } from '../support/v2.ts';

const JWT = { ROKID_JWT_APP_ID: 'app-1', ROKID_JWT_APP_SECRET: 'jwt-secret-1' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let driver: Awaited<ReturnType<typeof startHandlers>>;
let token: string;
let devices: { endpointId: string; displayType: string; capabilities: { interface: string; supportedOperations: string[] }[] }[];

beforeAll(async () => {
  driver = await startHandlers(JWT);
  const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
  token = (login.data as { userToken: string }).userToken;
  devices = (await driver.v2(discover(bearer(token)))).payload.endpoints;
}, 30_000);
afterAll(() => driver.close());

const endpoint = (type: string) => devices.find((d) => d.displayType === type)!.endpointId;
const withInterface = (name: string) => devices.find((d) => d.capabilities.some((c) => c.interface === name))!.endpointId;
const errorOf = async (body: unknown, headers?: Record<string, string>) => {
  const answer = await driver.v2(body, headers);
  expect(answer.header).toMatchObject({ namespace: 'Rokid', name: 'ErrorResponse', payloadVersion: 'v1' });
  expect(answer).not.toHaveProperty('endpoint');
  for (const field of ['name', 'vendorCode', 'message', 'debugInfo']) expect(typeof answer.payload[field], field).toBe('string');
  expect(JSON.stringify(answer)).not.toContain(token);
  return { name: answer.payload.name as string, messageId: answer.header.messageId, message: answer.payload.message as string };
};

describe('a message that cannot be read', () => {
  it.each([
    ['malformed JSON', '{"header": {'],
    ['an empty body', ''],
    ['a JSON array', '[1, 2]'],
    ['a JSON string', '"Discover"'],
    ['null', 'null'],
    ['a message with no header', JSON.stringify({ payload: {} })],
    ['a header that is not an object', JSON.stringify({ header: 'x' })],
    ['a messageId over 8,192 characters', JSON.stringify(discover(bearer('t'), 'm'.repeat(9000)))],
    ['a body of 1 MB', JSON.stringify({ ...discover(bearer('t')), pad: 'x'.repeat(1024 * 1024) })],
  ])('%s: E_INTERNAL_ERROR, under a fresh messageId', async (_case, body) => {
    const { name, messageId } = await errorOf(body);
    expect(name).toBe('E_INTERNAL_ERROR');
    expect(messageId).toMatch(UUID);
  });

  it('a header with a readable messageId but no namespace: E_INTERNAL_ERROR, and the messageId echoed', async () => {
    const { name, messageId, message } = await errorOf({ header: { messageId: 'm-1', name: 'Discover', authorization: bearer(token) } });
    expect([name, messageId]).toEqual(['E_INTERNAL_ERROR', 'm-1']);
    expect(message).toContain('header.namespace');
  });

  it('a name over 8,192 characters: E_INTERNAL_ERROR, the messageId echoed', async () => {
    expect(await errorOf(v2Message('Rokid.Control', 'x'.repeat(9000), bearer(token), { messageId: 'm-2' }))).toMatchObject({
      name: 'E_INTERNAL_ERROR',
      messageId: 'm-2',
    });
  });
});

describe('authorization', () => {
  it.each([
    ['no authorization', { header: { messageId: 'a-1', namespace: 'Rokid.Discovery', name: 'Discover' } }],
    ['an authorization of an unknown type', v2Message('Rokid.Discovery', 'Discover', { type: 'Basic', token: 'x' } as never)],
    ['a token the driver never issued', discover(bearer('not-a-driver-token'))],
    ['a driver-shaped token that is not recognised', discover(bearer('hbu.AAAAAAAAAAAAAAAAAAAAAA.wrong'))],
    ['a JWT with a bad signature', discover({ type: 'JWT', token: signJwt({ userId: 'u', appId: 'app-1' }, 'other-secret') })],
    ['a JWT of another appId', discover(jwt('u', 'app-2', 'jwt-secret-1'))],
    [
      'a JWT with alg none',
      discover({
        type: 'JWT',
        token: `${signJwt({ userId: 'u', appId: 'app-1' }, 'x', { alg: 'none' }).split('.').slice(0, 2).join('.')}.`,
      }),
    ],
    ['a JWT without userId', discover({ type: 'JWT', token: signJwt({ appId: 'app-1' }, 'jwt-secret-1') })],
    ['a JWT that expired', discover({ type: 'JWT', token: signJwt({ userId: 'u', appId: 'app-1', exp: 1 }, 'jwt-secret-1') })],
  ])('%s: E_INVALID_AUTHORIZATION', async (_case, body) => {
    expect((await errorOf(body)).name).toBe('E_INVALID_AUTHORIZATION');
  });

  const signed = signJwt({ userId: 'bob', appId: 'app-1' }, 'jwt-secret-1');
  it.each([
    [
      'a JWT userId with a leading space',
      jwt(' bob', 'app-1', 'jwt-secret-1'),
      'userId must not begin or end with whitespace: it is taken as it is, never trimmed',
    ],
    [
      'a JWT userId with a tab at its end',
      jwt('bob\t', 'app-1', 'jwt-secret-1'),
      'userId must have no control character (U+0000-U+001F, U+007F-U+009F, U+2028, U+2029), and it has U+0009',
    ],
    [
      'a JWT signature with "=" appended',
      { type: 'JWT', token: `${signed}=` } as const,
      'the signature is not canonical base64url (only A-Z, a-z, 0-9, "-" and "_", no "=" padding, and a last character that encodes no bits beyond the data)',
    ],
  ])('%s: E_INVALID_AUTHORIZATION, saying exactly why', async (_case, authorization, reason) => {
    expect(await errorOf(discover(authorization, 'id-1'))).toEqual({
      name: 'E_INVALID_AUTHORIZATION',
      messageId: 'id-1',
      message: `The JWT authorization is not valid: ${reason}.`,
    });
  });

  it('an expired driver token: E_AUTHORIZATION_EXPIRED; a revoked link: E_INVALID_AUTHORIZATION', async () => {
    const login = await driver.call('command', JSON.stringify({ command: 'login', params: { username: 'demo', password: 'homebase' } }));
    const { userToken } = login.data as { userToken: string };
    const set = (expression: string, values: Record<string, unknown>) =>
      driver.table.db.send(
        new UpdateCommand({
          TableName: driver.table.tableName,
          Key: keys.link(linkIdOf('hbu', userToken)!),
          UpdateExpression: expression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    await set('SET userTokenExpiresAt = :past, #status = :active', { ':past': 1, ':active': 'active' });
    expect((await errorOf(discover(bearer(userToken)))).name).toBe('E_AUTHORIZATION_EXPIRED');
    await set('SET #status = :revoked', { ':revoked': 'revoked' });
    expect((await errorOf(discover(bearer(userToken)))).name).toBe('E_INVALID_AUTHORIZATION');
  });

  it('a JWT where the driver takes none: E_INTERNAL_ERROR (the driver’s setting, not the user’s authorization), saying how to configure it', async () => {
    const plain = await startHandlers();
    try {
      const answer = await plain.v2(discover(jwt('u', 'app-1', 'jwt-secret-1')));
      expect(answer.payload).toEqual({
        name: 'E_INTERNAL_ERROR',
        vendorCode: 'JWT_NOT_CONFIGURED',
        message:
          'This driver does not take JWT authorization: its operators have not set ROKID_JWT_APP_ID. Use the OAuth 2.0 (BearerToken) method, or configure JWT.',
        debugInfo: '',
      });
    } finally {
      await plain.close();
    }
  });
});

describe('the console’s custom header (V2_REQUIRED_HEADER)', () => {
  let guarded: Awaited<ReturnType<typeof startHandlers>>;
  beforeAll(async () => {
    guarded = await startHandlers({ ...JWT, V2_REQUIRED_HEADER: 'X-Skill-Key: k-1' });
  });
  afterAll(() => guarded.close());

  it.each([
    ['missing', {}],
    ['with another value', { 'x-skill-key': 'k-2' }],
  ])(
    '%s: E_INTERNAL_ERROR naming the setting (a console and a driver that disagree must not end bindings), the messageId echoed',
    async (_case, headers) => {
      const answer = await guarded.v2(discover(jwt('u', 'app-1', 'jwt-secret-1'), 'h-1'), headers);
      expect(answer).toMatchObject({
        header: { name: 'ErrorResponse', messageId: 'h-1' },
        payload: {
          name: 'E_INTERNAL_ERROR',
          vendorCode: 'REQUIRED_HEADER_MISMATCH',
          message:
            "The message lacks the custom header this driver requires (x-skill-key), or it does not match: the header set in Rokid's console and the driver's V2_REQUIRED_HEADER must agree.",
        },
      });
    },
  );

  it('present (its name in any case): the message is answered', async () => {
    const answer = await guarded.v2(discover(jwt('u', 'app-1', 'jwt-secret-1')), { 'x-skill-key': 'k-1' });
    expect(answer.header.name).toBe('DiscoveryResponse');
  });
});

describe('directives', () => {
  it.each([
    ['an unknown namespace', () => v2Message('Rokid.Nothing', 'Discover', bearer(token))],
    [
      'AcceptGrant where state reports are off (no ROKID_EVENTS_CLIENT_ID)',
      () => v2Message('Rokid.Authorization', 'AcceptGrant', bearer(token)),
    ],
    ['an unknown Discovery name', () => v2Message('Rokid.Discovery', 'Rediscover', bearer(token))],
    ['an unknown interface', () => control(bearer(token), endpoint('light'), 'Warp.On')],
    ['an operation the endpoint does not list', () => control(bearer(token), endpoint('curtain'), 'Brightness.SetMax')],
    ['SetMax on Position, which has none', () => control(bearer(token), endpoint('curtain'), 'Position.SetMax')],
    ['a name with no operation', () => control(bearer(token), endpoint('light'), 'Switch')],
  ])('%s: E_NOT_SUPPORTED_DIRECTIVE', async (_case, body) => {
    expect((await errorOf(body())).name).toBe('E_NOT_SUPPORTED_DIRECTIVE');
  });

  it.each([
    ['an unknown endpointId', () => control(bearer(token), 'vd-nothing', 'Switch.On')],
    ['another user’s endpoint', () => control(jwt('someone-else', 'app-1', 'jwt-secret-1'), endpoint('light'), 'Switch.On')],
    ['a Control with no endpoint', () => v2Message('Rokid.Control', 'Switch.On', bearer(token))],
    ['a ReportState of an unknown endpointId', () => reportState(bearer(token), 'vd-nothing')],
    ['an endpoint with no endpointId', () => v2Message('Rokid.Query', 'ReportState', bearer(token), { endpoint: { additionalInfo: {} } })],
  ])('%s: E_NO_SUCH_ENDPOINT', async (_case, body) => {
    expect((await errorOf(body())).name).toBe('E_NO_SUCH_ENDPOINT');
  });

  it.each([
    ['a Set above 100', 'Brightness.Set', { value: 101 }],
    ['a Set below 0', 'Brightness.Set', { value: -1 }],
    ['a Set with no value', 'Brightness.Set', {}],
    ['a Set with a string value', 'Brightness.Set', { value: 'high' }],
    ['an Adjust with no delta', 'Brightness.Adjust', {}],
  ])('%s: E_VALUE_OUT_OF_RANGE', async (_case, directive, payload) => {
    expect((await errorOf(control(bearer(token), withInterface('Brightness'), directive, payload))).name).toBe('E_VALUE_OUT_OF_RANGE');
  });

  it('a TV channel by name alone: E_CHANNEL_NOT_FOUND', async () => {
    const answer = await errorOf(control(bearer(token), endpoint('tv'), 'Media.TVChannel.Set', { tvChannel: { name: 'CCTV1' } }));
    expect(answer.name).toBe('E_CHANNEL_NOT_FOUND');
  });
});
