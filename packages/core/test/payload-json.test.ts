import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attachPayloadJson,
  InvalidInputError,
  isPlainJson,
  payloadJsonOf,
  prepareNewEvent,
  toStrictJson,
} from '../src/index.js';

const now = new Date('2026-01-01T00:00:00Z');

describe('attachPayloadJson / payloadJsonOf', () => {
  it('marks the object itself (not its value), invisibly, and returns it', () => {
    const event = { eventType: 'a', payload: { n: 1 } };
    expect(payloadJsonOf(event)).toBeUndefined();
    expect(attachPayloadJson(event, '{"n":1}')).toBe(event);
    expect(payloadJsonOf(event)).toBe('{"n":1}');
    // A copy is another object: it carries no text (and is serialised as usual).
    expect(payloadJsonOf({ ...event })).toBeUndefined();
    // The mark is invisible: nothing for keys, equality, spreading or JSON to see.
    expect(Object.keys(event)).toEqual(['eventType', 'payload']);
    expect(event).toStrictEqual({ eventType: 'a', payload: { n: 1 } });
    expect(JSON.stringify(event)).toBe('{"eventType":"a","payload":{"n":1}}');
    expect(payloadJsonOf(structuredClone(event))).toBeUndefined();
    // Attaching again replaces the text; a frozen object is left unmarked (and serialised as usual).
    attachPayloadJson(event, '{ "n": 1 }');
    expect(payloadJsonOf(event)).toBe('{ "n": 1 }');
    const frozen = Object.freeze({ eventType: 'a', payload: 1 });
    expect(attachPayloadJson(frozen, '1')).toBe(frozen);
    expect(payloadJsonOf(frozen)).toBeUndefined();
  });
});

describe('prepareNewEvent with an attached text', () => {
  it('stores the attached text as given instead of serialising the payload again', () => {
    // A text that differs from JSON.stringify(payload) (key order) proves the payload was not walked again.
    const event = attachPayloadJson({ eventType: 'a', payload: { b: 1, a: 2 } }, '{"a":2,"b":1}');
    const prepared = prepareNewEvent(event, now);
    expect(prepared.payloadJson).toBe('{"a":2,"b":1}');
    expect(prepared.payload).toEqual({ a: 2, b: 1 });
  });

  it('still enforces the size limit on the attached text', () => {
    const payload = 'x'.repeat(100);
    const event = attachPayloadJson({ eventType: 'a', payload }, toStrictJson(payload));
    expect(() => prepareNewEvent(event, now, 50)).toThrow(InvalidInputError);
  });

  it('without a text, refuses what JSON cannot carry, as before', () => {
    expect(() => prepareNewEvent({ eventType: 'a', payload: { n: Number.NaN } }, now)).toThrow(
      /payload is not JSON-serialisable: key "n" is NaN/,
    );
  });

  it('payload equals what payloadJson parses to', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const input = { eventType: 'a', payload: value };
        const prepared = prepareNewEvent(input, now);
        expect(prepared.payloadJson).toBe(toStrictJson(value));
        expect(prepared.payload).toEqual(JSON.parse(prepared.payloadJson));
      }),
    );
  });
});

describe('prepareNewEvent payload', () => {
  it('keeps a plain JSON payload as given (no copy) and parses a fresh value for anything else', () => {
    const plain = { n: 1, list: [1, 'two', null, { deep: true }] };
    const prepared = prepareNewEvent({ eventType: 'a', payload: plain }, new Date());
    expect(prepared.payload).toBe(plain);
    expect(prepared.payloadJson).toBe(JSON.stringify(plain));
    plain.n = 2;
    expect(prepared.payloadJson).toBe('{"n":1,"list":[1,"two",null,{"deep":true}]}');

    const at = new Date('2026-11-25T00:00:00.000Z');
    const odd = { at, skipped: undefined };
    const parsed = prepareNewEvent({ eventType: 'a', payload: odd }, new Date());
    expect(parsed.payload).not.toBe(odd);
    expect(parsed.payload).toEqual({ at: '2026-11-25T00:00:00.000Z' });
  });

  it('isPlainJson: true exactly for values whose JSON text parses back to an equal value', () => {
    expect(isPlainJson({ a: [1, 'x', null, true, { b: -0.5 }] })).toBe(true);
    expect(isPlainJson(Object.create(null))).toBe(true);
    for (const odd of [
      new Date(),
      { a: undefined },
      [Number.NaN],
      { f: () => 1 },
      new Map(),
      1n,
      { toJSON: () => 1 },
    ]) {
      expect(isPlainJson(odd)).toBe(false);
    }
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        if (isPlainJson(value)) expect(JSON.parse(JSON.stringify(value))).toEqual(value);
      }),
    );
  });
});
