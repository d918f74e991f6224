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

  it('gives exactly JSON.stringify text for any value it accepts, plain or not (Dates, toJSON, undefined fields, deep nesting)', () => {
    const odd = fc.oneof(
      fc.date({ noInvalidDate: true }),
      fc.constant(undefined),
      fc.record({ toJSON: fc.constant(() => 'custom') }),
      fc.constant(new Map([[1, 2]])),
      fc.constant(Object.create(null) as object),
    );
    const values = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        odd,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(values, (value) => {
        if (value === undefined) return;
        expect(toStrictJson(value)).toBe(JSON.stringify(value));
      }),
    );
    let deep: unknown = 'leaf';
    for (let level = 0; level < 200; level++) deep = { level: deep };
    expect(toStrictJson(deep)).toBe(JSON.stringify(deep));
  });

  it('refuses a bad value however deep it hides, below the plain-data shortcut too', () => {
    let deep: unknown = { n: Number.NaN };
    for (let level = 0; level < 100; level++) deep = [deep];
    expect(() => toStrictJson(deep)).toThrow(/key "n" is NaN/);
    expect(() => toStrictJson({ a: [{ b: 1 }, { c: () => 1 }] })).toThrow(/key "c" is a function/);
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
