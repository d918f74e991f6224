import type { z } from 'zod';
import { type BuildOptions, type Clock, resolveTimestamp, systemClock } from './iso-timestamp.js';
import { parseInput } from './issue-wording.js';
import type { JsonObject } from './json-types.js';
import { PayloadValidationError } from './payload-validation-error.js';

/** What a payload builder receives besides its validated input. */
export interface EventMeta<Name extends string> {
  /** The event type being built, e.g. `campaign_status_change`. */
  readonly eventType: Name;
  /** The event's time as an ISO-8601 string (UTC, milliseconds). */
  readonly timestamp: string;
}

/** One event type: its name, the schema its input must pass, and how its payload is built. */
export interface EventDefinition<
  Name extends string = string,
  Input = never,
  Payload extends JsonObject = JsonObject,
> {
  /** The event type, passed to `enqueue(eventType, payload)`. */
  readonly eventType: Name;
  /** The zod schema builder input is validated with. */
  readonly inputSchema: z.ZodType;
  /** Validates `input` (bad input throws PayloadValidationError naming the field) and builds the payload. */
  build(input: Input, options?: BuildOptions & { readonly clock?: Clock }): Payload;
}

/** Any event definition, whatever its name, input and payload. */
export type AnyEventDefinition = EventDefinition<string, never, JsonObject>;

/** The input type an event definition accepts. */
export type EventInput<Definition extends AnyEventDefinition> = Parameters<Definition['build']>[0];

/** The payload type an event definition builds. */
export type EventPayload<Definition extends AnyEventDefinition> = ReturnType<Definition['build']>;

/**
 * Defines an event type: builder input is validated with `inputSchema`, then `build` turns the parsed
 * input into the JSON payload. The payload type is inferred from `build`.
 *
 * @example
 * const invoicePaid = defineEvent('invoice.paid', z.object({ id: z.string(), cents: z.int() }),
 *   (input, { eventType, timestamp }) => ({ type: eventType, timestamp, data: input }));
 * invoicePaid.build({ id: 'in_1', cents: 500 }); // { type: 'invoice.paid', timestamp: '...', data: {...} }
 */
export function defineEvent<const Name extends string, Schema extends z.ZodType, Payload extends JsonObject>(
  eventType: Name,
  inputSchema: Schema,
  build: (input: z.output<Schema>, meta: EventMeta<Name>) => Payload,
): EventDefinition<Name, z.input<Schema>, Payload> {
  if (typeof eventType !== 'string' || eventType.trim() === '') {
    throw new PayloadValidationError('Invalid event definition: eventType must be a non-empty string', {
      issues: [{ path: ['eventType'], field: 'eventType', message: 'must be a non-empty string' }],
    });
  }
  const subject = `${eventType} input`;
  return Object.freeze({
    eventType,
    inputSchema,
    build(input: z.input<Schema>, options?: BuildOptions & { readonly clock?: Clock }): Payload {
      const parsed = parseInput(inputSchema, input, subject);
      const timestamp = resolveTimestamp(options, options?.clock ?? systemClock);
      return build(parsed, { eventType, timestamp });
    },
  });
}
