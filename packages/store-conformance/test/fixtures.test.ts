import { HooksError, InvalidInputError } from '@hooks/core';
import { describe, expect, it } from 'vitest';
import { expectHooksError, expectInvalidInput, rejectionOf, within } from '../src/fixtures.js';
import { describeStore } from '../src/index.js';

const invalid = (field: string) =>
  Promise.reject(new InvalidInputError(`${field} is wrong`, { details: { field } }));

describe('the assertion helpers fail when they should', () => {
  it('expectInvalidInput accepts an InvalidInputError naming the field', async () => {
    const error = await expectInvalidInput(() => invalid('limit'), 'limit');
    expect(error.details?.field).toBe('limit');
  });

  it('expectInvalidInput rejects another field, another error, a resolved call and a synchronous throw', async () => {
    await expect(expectInvalidInput(() => invalid('cursor'), 'limit')).rejects.toThrow();
    await expect(expectInvalidInput(() => Promise.reject(new Error('plain')), 'limit')).rejects.toThrow();
    await expect(expectInvalidInput(() => Promise.resolve(1), 'limit')).rejects.toThrow(/resolved/);
    const throwsNow = (): Promise<unknown> => {
      throw new InvalidInputError('limit is wrong', { details: { field: 'limit' } });
    };
    await expect(rejectionOf(throwsNow)).rejects.toThrow(/synchronously/);
  });

  it('expectHooksError checks the class and the code', async () => {
    const closed = () => Promise.reject(new HooksError('HOOKS_ERR_CLOSED', 'closed'));
    expect((await expectHooksError(closed, 'HOOKS_ERR_CLOSED')).code).toBe('HOOKS_ERR_CLOSED');
    await expect(expectHooksError(closed, 'HOOKS_ERR_OTHER')).rejects.toThrow();
    await expect(expectHooksError(() => Promise.reject(new TypeError('x')))).rejects.toThrow();
  });

  it('within resolves in time and rejects a promise that never settles', async () => {
    expect(await within(Promise.resolve(7), 1000, 'quick')).toBe(7);
    await expect(within(new Promise(() => {}), 10, 'never')).rejects.toThrow(/never: nothing after 10 ms/);
  });
});

describe('describeStore', () => {
  it('refuses options without setup or name', () => {
    expect(() => describeStore({} as never)).toThrow(/setup/);
    expect(() =>
      describeStore({ name: '', realConcurrency: false, setup: async () => ({}) as never }),
    ).toThrow(/name/);
  });
});
