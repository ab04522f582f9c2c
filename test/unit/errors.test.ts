import { describe, expect, it } from 'vitest';
import {
  DriverError,
  ERROR_CLASSES,
  HomebaseError,
  MEDIA_ERROR_NAMES,
  STANDARD_ERROR_NAMES,
  toErrorEnvelope,
  ValueOutOfRangeError,
} from '../../functions/domain/errors.ts';

describe('Homebase errors', () => {
  it('has a typed error for each of the 16 standard and 5 media names', () => {
    expect(STANDARD_ERROR_NAMES).toHaveLength(16);
    expect(MEDIA_ERROR_NAMES).toHaveLength(5);
    for (const name of [...STANDARD_ERROR_NAMES, ...MEDIA_ERROR_NAMES]) {
      const error = new ERROR_CLASSES[name]('something happened');
      expect(error).toBeInstanceOf(HomebaseError);
      expect(error.errorName).toBe(name);
    }
    expect(Object.keys(ERROR_CLASSES).sort()).toEqual([...STANDARD_ERROR_NAMES, ...MEDIA_ERROR_NAMES].sort());
  });

  it('keeps the class name, for logs and stack traces', () => {
    expect(new ValueOutOfRangeError('x').name).toBe('ValueOutOfRangeError');
  });

  it('renders the envelope with a positive status and only the fields that are set', () => {
    expect(toErrorEnvelope(new DriverError('broken'))).toEqual({ status: 1, errorName: 'E_DRIVER_ERROR', message: 'broken' });
    expect(toErrorEnvelope(new ValueOutOfRangeError('too big', { vendorErrorCode: '42', debugInfo: 'max 100' }))).toEqual({
      status: 1,
      errorName: 'E_VALUE_OUT_OF_RANGE',
      message: 'too big',
      vendorErrorCode: '42',
      debugInfo: 'max 100',
    });
  });
});
