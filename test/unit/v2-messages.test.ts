/** The v2 message, read tolerantly and written strictly: every way a request can be unreadable, by its exact error. */
import { describe, expect, it } from 'vitest';
import { discoveryResponse, errorResponse, messageIdOf, readRequest, stateResponse } from '../../functions/domain/v2/messages.ts';

const header = { messageId: 'm-1', namespace: 'Rokid.Control', name: 'Switch.On', payloadVersion: 'v1' };
const authorization = { type: 'BearerToken', token: 'hbu.x.y' };

describe('reading a request', () => {
  it('reads the header, the authorization, the endpoint and the payload', () => {
    expect(
      readRequest({
        header: { ...header, authorization },
        endpoint: { endpointId: 'e-1', additionalInfo: { a: 1 } },
        payload: { value: 3 },
      }),
    ).toEqual({
      messageId: 'm-1',
      namespace: 'Rokid.Control',
      name: 'Switch.On',
      authorization,
      endpoint: { endpointId: 'e-1', additionalInfo: { a: 1 } },
      payload: { value: 3 },
    });
  });

  it('accepts the older spellings (authentication, Bearer), and a missing or null payload as {}', () => {
    expect(readRequest({ header: { ...header, authentication: { type: 'Bearer', token: 't' } }, payload: null })).toMatchObject({
      authorization: { type: 'BearerToken', token: 't' },
      payload: {},
    });
  });

  it.each([
    ['a list', [], 'E_INTERNAL_ERROR', 'The message is not a JSON object with a header.'],
    ['null', null, 'E_INTERNAL_ERROR', 'The message is not a JSON object with a header.'],
    ['no header', { payload: {} }, 'E_INTERNAL_ERROR', "The message's header is not valid: header is required."],
    [
      'no messageId',
      { header: { ...header, messageId: undefined, authorization } },
      'E_INTERNAL_ERROR',
      "The message's header is not valid: header.messageId is required.",
    ],
    [
      'a name of 9 KB',
      { header: { ...header, name: 'n'.repeat(9000), authorization } },
      'E_INTERNAL_ERROR',
      "The message's header is not valid: header.name: expected at most 8192 characters.",
    ],
    ['no authorization', { header }, 'E_INVALID_AUTHORIZATION', 'The message carries no header.authorization.'],
    [
      'an unknown authorization type, not echoed',
      { header: { ...header, authorization: { type: 'Basic', token: 't' } } },
      'E_INVALID_AUTHORIZATION',
      'The message\'s header is not valid: header.authorization.type: expected "BearerToken" | "JWT".',
    ],
    [
      'an empty token',
      { header: { ...header, authorization: { type: 'JWT', token: '' } } },
      'E_INVALID_AUTHORIZATION',
      "The message's header is not valid: header.authorization.token must not be empty.",
    ],
    [
      'an endpoint without an id',
      { header: { ...header, authorization }, endpoint: { additionalInfo: {} } },
      'E_NO_SUCH_ENDPOINT',
      'The message names no endpoint.endpointId the driver can read.',
    ],
  ])('refuses %s: %s', (_case, body, name, message) => {
    expect(() => readRequest(body)).toThrow(expect.objectContaining({ v2Name: name, message }));
  });
});

describe('messageIds and replies', () => {
  it("echoes the request's messageId, or makes one when the header gives none", () => {
    expect(messageIdOf({ header: { messageId: 'm-9' } })).toBe('m-9');
    for (const body of [null, {}, { header: 'x' }, { header: { messageId: 42 } }, { header: { messageId: '' } }]) {
      expect(messageIdOf(body)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('writes replies in namespace Rokid, payloadVersion v1, with no authorization', () => {
    expect(discoveryResponse('m-1', [])).toEqual({
      header: { namespace: 'Rokid', name: 'DiscoveryResponse', messageId: 'm-1', payloadVersion: 'v1' },
      payload: { endpoints: [] },
    });
    expect(stateResponse('m-2', 'e-1', [])).toEqual({
      header: { namespace: 'Rokid', name: 'Response', messageId: 'm-2', payloadVersion: 'v1' },
      endpoint: { endpointId: 'e-1', states: [] },
      payload: {},
    });
    const payload = { name: 'E_NO_SUCH_ENDPOINT' as const, vendorCode: '', message: 'gone', debugInfo: '' };
    expect(errorResponse('m-3', payload)).toEqual({
      header: { namespace: 'Rokid', name: 'ErrorResponse', messageId: 'm-3', payloadVersion: 'v1' },
      payload,
    });
  });
});
