/** v1 errors as v2 ErrorResponse payloads: the digest's table, the vault's expired token, and the unexpected. */
import { describe, expect, it } from 'vitest';
import {
  DeviceNotFoundError,
  DriverTimeoutError,
  ERROR_CLASSES,
  ExpiredTokenError,
  InvalidAuthorizationError,
  SignError,
  ValueOutOfRangeError,
} from '../../functions/domain/errors.ts';
import { errorPayload, V2_ERROR_NAMES } from '../../functions/domain/v2/errors.ts';

describe('v2 error payloads', () => {
  it.each([
    [new ExpiredTokenError('The userToken has expired.'), 'E_AUTHORIZATION_EXPIRED'],
    [new SignError('The userToken is not recognised.'), 'E_INVALID_AUTHORIZATION'],
    [new InvalidAuthorizationError('Link again.'), 'E_INVALID_AUTHORIZATION'],
    [new DeviceNotFoundError('Device "x" was not found.'), 'E_NO_SUCH_ENDPOINT'],
    [new DriverTimeoutError('The device cloud did not answer.'), 'E_ENDPOINT_UNREACHABLE'],
    [new ValueOutOfRangeError('brightness takes 0 to 100.'), 'E_VALUE_OUT_OF_RANGE'],
  ])('names %s as %s, keeping its message', (error, name) => {
    expect(errorPayload(error, 'req-1')).toEqual({ name, vendorCode: '', message: error.message, debugInfo: `v1 ${error.errorName}` });
  });

  it("passes the vendor's code and debugging context on, as strings", () => {
    const error = new ValueOutOfRangeError('too warm', { vendorErrorCode: '4031', debugInfo: 'max=30' });
    expect(errorPayload(error, 'req-1')).toEqual({
      name: 'E_VALUE_OUT_OF_RANGE',
      vendorCode: '4031',
      message: 'too warm',
      debugInfo: 'max=30',
    });
  });

  it('answers anything else as internal, naming the request and nothing of the error', () => {
    expect(errorPayload(new Error('secret token abc in a stack'), 'req-7')).toEqual({
      name: 'E_INTERNAL_ERROR',
      vendorCode: '',
      message: 'The driver failed unexpectedly; its operators can find request req-7 in the logs.',
      debugInfo: 'requestId=req-7',
    });
  });

  it('has a v2 name for every v1 error', () => {
    for (const [errorName, ErrorClass] of Object.entries(ERROR_CLASSES)) {
      expect(V2_ERROR_NAMES, errorName).toContain(errorPayload(new ErrorClass('x'), 'r').name);
    }
  });
});
