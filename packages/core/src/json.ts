import { InvalidInputError } from './errors.js';

/** A value that survives a JSON round trip unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialises `value` as JSON, refusing what JSON cannot carry faithfully (functions, symbols, bigint,
 * NaN/Infinity, cycles, `undefined` at the top). `field` names the input in the error.
 */
export function toStrictJson(value: unknown, field = 'payload'): string {
  if (value === undefined) {
    throw new InvalidInputError(`${field} must be JSON-serialisable, got undefined`, { details: { field } });
  }
  // Plain data (the usual payload) serialises without a replacer, which costs a call per key and value.
  if (isPlainJson(value)) return JSON.stringify(value);
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (key, item: unknown) => {
      const kind = typeof item;
      if (kind === 'function' || kind === 'symbol' || kind === 'bigint') {
        throw new InvalidInputError(`${field} is not JSON-serialisable: ${describeKey(key)} is a ${kind}`, {
          details: { field, key },
        });
      }
      if (kind === 'number' && !Number.isFinite(item as number)) {
        throw new InvalidInputError(`${field} is not JSON-serialisable: ${describeKey(key)} is ${item}`, {
          details: { field, key },
        });
      }
      return item;
    });
  } catch (error) {
    if (InvalidInputError.isInstance(error)) throw error;
    throw new InvalidInputError(`${field} is not JSON-serialisable: ${(error as Error).message}`, {
      cause: error,
      details: { field },
    });
  }
  if (json === undefined) {
    throw new InvalidInputError(`${field} must be JSON-serialisable`, { details: { field } });
  }
  return json;
}

/** Deepest nesting `isPlainJson` walks; deeper values (and cycles) take the checked path. */
const PLAIN_DEPTH = 64;

/**
 * True when `value` is plain JSON data that `JSON.stringify` serialises faithfully as it is (so parsing the
 * text gives an equal value back): strings, finite
 * numbers, booleans, null, arrays and plain objects of those, no `toJSON`, no `undefined` inside, nested at
 * most `PLAIN_DEPTH` deep. Anything else (a Date, a Map, a function, NaN, a cycle) returns false, and
 * `toStrictJson` takes the checked path, which names what is wrong or serialises it as JSON would.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // -0 serialises as 0: not the same value once parsed.
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          if (!isPlainJson(value[index], depth + 1)) return false;
        }
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      for (const key in value) {
        if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Where `attachPayloadJson` keeps a text: a non-enumerable symbol-keyed property, invisible to `Object.keys`,
 * spreading, equality checks and `JSON.stringify`, and far cheaper to set than a `WeakMap` entry. `Symbol.for`
 * so that an ESM and a CJS copy of this package agree.
 */
const PAYLOAD_JSON = Symbol.for('@hooks/core.payloadJson');

/**
 * Records that `carrier` (a `NewWebhookEvent` or a `WebhookEvent`) carries a payload whose JSON text is
 * `json`, so the payload is not serialised again: `prepareNewEvent` stores this text, and the engine sends
 * the text a store attached to a row it returned. `json` must be `toStrictJson(carrier.payload)` (for a new
 * event) or exactly the text the store keeps for the row. The mark is a hidden property that copies of
 * `carrier` (spreading, `structuredClone`) do not carry: they are serialised as usual. A frozen `carrier` is
 * left unmarked. Returns `carrier`.
 *
 * @example
 * const event = attachPayloadJson({ eventType: 'order.paid', payload }, toStrictJson(payload));
 * await store.insert(event); // the store keeps that text without walking the payload again
 */
export function attachPayloadJson<T extends object>(carrier: T, json: string): T {
  if (Object.isExtensible(carrier)) {
    Object.defineProperty(carrier, PAYLOAD_JSON, { value: json, configurable: true });
  }
  return carrier;
}

/** The JSON text attached to `carrier` with `attachPayloadJson`, or undefined. */
export function payloadJsonOf(carrier: object): string | undefined {
  const json = (carrier as { [PAYLOAD_JSON]?: unknown })[PAYLOAD_JSON];
  return typeof json === 'string' ? json : undefined;
}

function describeKey(key: string): string {
  return key === '' ? 'the value' : `key "${key}"`;
}

/** Byte length of a string once encoded as UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || utf8Length(text) <= maxBytes) return text;
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}
