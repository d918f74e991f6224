import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, toStrictJson, truncateUtf8, utf8Length } from '../src/index.js';

describe('toStrictJson', () => {
  it('serialises JSON values unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(toStrictJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each([
    ['undefined', undefined, 'got undefined'],
    ['a function', { f: () => 1 }, 'key "f" is a function'],
    ['a bigint', { n: 10n }, 'key "n" is a bigint'],
    ['a symbol', { s: Symbol('x') }, 'key "s" is a symbol'],
    ['NaN', { n: Number.NaN }, 'key "n" is NaN'],
    ['Infinity', [Number.POSITIVE_INFINITY], 'is Infinity'],
  ])('refuses %s with an InvalidInputError naming it', (_label, value, fragment) => {
    try {
      toStrictJson(value);
      expect.unreachable();
    } catch (error) {
      expect(InvalidInputError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(fragment);
      expect((error as InvalidInputError).details).toMatchObject({ field: 'payload' });
    }
  });

  it('refuses cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toStrictJson(cyclic, 'body')).toThrow(/body is not JSON-serialisable/);
  });
});

describe('truncateUtf8', () => {
  it('never exceeds the byte cap and never splits a character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 0, max: 400 }),
        (text, cap) => {
          const cut = truncateUtf8(text, cap);
          expect(utf8Length(cut)).toBeLessThanOrEqual(Math.max(cap, 0));
          expect(text.startsWith(cut) || cut.length === 0 || utf8Length(text) > cap).toBe(true);
          expect(cut).not.toContain('\uFFFD'.repeat(text.includes('\uFFFD') ? 2 : 1));
        },
      ),
    );
    expect(truncateUtf8('héllo', 2)).toBe('h');
    expect(truncateUtf8('short', 100)).toBe('short');
  });
});
