import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ConflictError,
  DeliveryError,
  HooksError,
  InvalidInputError,
  NotFoundError,
  StoreUnavailableError,
} from '../src/index.js';

describe('HooksError', () => {
  it('carries a stable code, a cause and details', () => {
    const cause = new Error('socket hang up');
    const error = new StoreUnavailableError('database unreachable', {
      cause,
      details: { store: 'postgres' },
    });
    expect(error.code).toBe('HOOKS_ERR_STORE_UNAVAILABLE');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ store: 'postgres' });
    expect(error.name).toBe('StoreUnavailableError');
    expect(error).toBeInstanceOf(HooksError);
    expect(error).toBeInstanceOf(Error);
  });

  it('isInstance tells the subclasses apart', () => {
    const notFound = new NotFoundError('no such event');
    expect(NotFoundError.isInstance(notFound)).toBe(true);
    expect(HooksError.isInstance(notFound)).toBe(true);
    expect(ConflictError.isInstance(notFound)).toBe(false);
    expect(InvalidInputError.isInstance(new InvalidInputError('bad'))).toBe(true);
    expect(ConfigurationError.isInstance(new ConfigurationError('bad'))).toBe(true);
    expect(HooksError.isInstance(new Error('plain'))).toBe(false);
    expect(HooksError.isInstance(null)).toBe(false);
    expect(HooksError.isInstance('HOOKS_ERR_NOT_FOUND')).toBe(false);
  });

  it('isInstance recognises errors from another copy of the package (by brand and code)', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      code: 'HOOKS_ERR_NOT_FOUND',
      [Symbol.for('@hooks/error')]: true,
    });
    expect(foreign instanceof NotFoundError).toBe(false);
    expect(NotFoundError.isInstance(foreign)).toBe(true);
    expect(ConflictError.isInstance(foreign)).toBe(false);
    const unbranded = Object.assign(new Error('look-alike'), { code: 'HOOKS_ERR_NOT_FOUND' });
    expect(NotFoundError.isInstance(unbranded)).toBe(false);
  });

  it('DeliveryError says whether it is retryable', () => {
    expect(new DeliveryError('HTTP 500', { retryable: true }).retryable).toBe(true);
    expect(new DeliveryError('HTTP 410', { retryable: false }).retryable).toBe(false);
  });
});
