import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  defineCatalog,
  defineEvent,
  type EventPayload,
  type EventTuple,
  type JsonValue,
} from '../src/index.js';
import { caught } from './caught.js';

const T = '2024-05-01T12:00:00.000Z';

const invoicePaid = defineEvent(
  'invoice.paid',
  z.object({ id: z.string().min(1), cents: z.int().min(0) }),
  (input, { eventType, timestamp }) => ({
    type: eventType,
    timestamp,
    data: { id: input.id, cents: input.cents },
  }),
);
const invoiceVoided = defineEvent('invoice.voided', z.object({ id: z.string() }), (input, meta) => ({
  type: meta.eventType,
  at: meta.timestamp,
  invoice: input.id,
}));

describe('defineEvent', () => {
  it('validates the input and builds the payload with the given timestamp', () => {
    expect(invoicePaid.eventType).toBe('invoice.paid');
    expect(invoicePaid.build({ id: 'in_1', cents: 500 }, { timestamp: T })).toEqual({
      type: 'invoice.paid',
      timestamp: T,
      data: { id: 'in_1', cents: 500 },
    });
  });

  it('reads the clock when no timestamp is given, and now when there is no clock', () => {
    expect(
      invoiceVoided.build({ id: 'in_1' }, { clock: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }),
    ).toEqual({
      type: 'invoice.voided',
      at: '2024-01-02T03:04:05.000Z',
      invoice: 'in_1',
    });
    const before = Date.now();
    const { at } = invoiceVoided.build({ id: 'in_1' });
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.now());
  });

  it('normalises a timestamp given with an offset to UTC', () => {
    expect(invoiceVoided.build({ id: 'x' }, { timestamp: '2024-05-01T14:00:00+02:00' }).at).toBe(T);
  });

  it('refuses bad input with a PayloadValidationError naming the field', () => {
    const error = caught(() => invoicePaid.build({ id: '', cents: -1 }));
    expect(error.message).toBe('Invalid invoice.paid input: id must not be empty; cents must be at least 0');
    expect(error.details.field).toBe('id');
    expect(error.details.issues.map((issue) => issue.field)).toEqual(['id', 'cents']);
  });

  it('refuses a bad timestamp, naming it', () => {
    const error = caught(() => invoiceVoided.build({ id: 'x' }, { timestamp: 'yesterday' }));
    expect(error.details.field).toBe('timestamp');
    expect(error.message).toBe(
      'Invalid timestamp: timestamp must be an ISO-8601 date-time such as 2024-05-01T12:00:00.000Z',
    );
    expect(
      caught(() => invoiceVoided.build({ id: 'x' }, { clock: () => new Date(Number.NaN) })).details.field,
    ).toBe('timestamp');
  });

  it('refuses an empty event type', () => {
    expect(caught(() => defineEvent('', z.object({}), () => ({}))).details.field).toBe('eventType');
  });

  it('infers the payload type from the build function', () => {
    expectTypeOf<EventPayload<typeof invoicePaid>>().toEqualTypeOf<{
      type: 'invoice.paid';
      timestamp: string;
      data: { id: string; cents: number };
    }>();
  });
});

describe('defineCatalog', () => {
  const billing = defineCatalog([invoicePaid, invoiceVoided], { clock: () => T });

  it('lists its event types in definition order', () => {
    expect(billing.eventTypes).toEqual(['invoice.paid', 'invoice.voided']);
    expect(Object.isFrozen(billing.eventTypes)).toBe(true);
    expect(billing.has('invoice.paid')).toBe(true);
    expect(billing.has('invoice.sent')).toBe(false);
    expect(billing.has(42)).toBe(false);
  });

  it('builds [eventType, payload] tuples through builders and by name', () => {
    const expected: EventTuple = [
      'invoice.paid',
      { type: 'invoice.paid', timestamp: T, data: { id: 'a', cents: 1 } },
    ];
    expect(billing.builders['invoice.paid']({ id: 'a', cents: 1 })).toEqual(expected);
    expect(billing.build('invoice.paid', { id: 'a', cents: 1 })).toEqual(expected);
    expect(
      billing.build('invoice.voided', { id: 'a' }, { timestamp: new Date('2020-01-01T00:00:00Z') }),
    ).toEqual(['invoice.voided', { type: 'invoice.voided', at: '2020-01-01T00:00:00.000Z', invoice: 'a' }]);
  });

  it('refuses an unknown event type, listing the supported ones', () => {
    const error = caught(() => billing.build('invoice.sent' as never, {} as never));
    expect(error.message).toBe(
      'Unknown event type "invoice.sent": supported event types are invoice.paid, invoice.voided',
    );
    expect(error.details.field).toBe('eventType');
    expect(error.details['supported']).toEqual(['invoice.paid', 'invoice.voided']);
    expect(caught(() => billing.build(7 as never, {} as never)).message).toContain(
      'Unknown event type a number',
    );
  });

  it('refuses two definitions of one event type', () => {
    expect(caught(() => defineCatalog([invoicePaid, invoicePaid])).message).toBe(
      'Invalid catalog: event type "invoice.paid" is defined twice',
    );
  });

  it('copies and freezes its options once', () => {
    const options = { clock: () => T };
    const catalog = defineCatalog([invoiceVoided], options);
    options.clock = () => '2000-01-01T00:00:00.000Z';
    expect(catalog.timestamp()).toBe(T);
    expect(catalog.timestamp({ timestamp: '2021-01-01T00:00:00Z' })).toBe('2021-01-01T00:00:00.000Z');
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.builders)).toBe(true);
  });

  it('types flow: builders and build by name return typed tuples that fit a JSON enqueue', () => {
    const tuple = billing.build('invoice.paid', { id: 'a', cents: 1 });
    expectTypeOf(tuple).toEqualTypeOf<
      [
        eventType: 'invoice.paid',
        payload: { type: 'invoice.paid'; timestamp: string; data: { id: string; cents: number } },
      ]
    >();
    expectTypeOf(billing.builders['invoice.voided']).parameter(0).toEqualTypeOf<{ id: string }>();
    const enqueue = (eventType: string, payload: JsonValue, options?: { delayMs?: number }) => [
      eventType,
      payload,
      options,
    ];
    expect(enqueue(...tuple)).toEqual([...tuple, undefined]);
  });
});
