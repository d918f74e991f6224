import type { AnyEventDefinition, EventInput, EventPayload } from './define-event.js';
import { type BuildOptions, type Clock, resolveTimestamp, systemClock } from './iso-timestamp.js';
import type { JsonObject } from './json-types.js';
import { PayloadValidationError } from './payload-validation-error.js';

/** Options of `defineCatalog` (copied and frozen once). */
export interface CatalogOptions {
  /** Where timestamps come from when a build gets no `timestamp`; default `() => new Date()`. */
  readonly clock?: Clock;
}

/** What every builder returns: ready for `dispatcher.enqueue(...tuple)`. */
export type EventTuple<Name extends string = string, Payload extends JsonObject = JsonObject> = [
  eventType: Name,
  payload: Payload,
];

/** The definition in `Definitions` whose event type is `Name`. */
export type DefinitionNamed<Definitions extends AnyEventDefinition, Name extends string> = Extract<
  Definitions,
  { readonly eventType: Name }
>;

/** A builder of one event type: validates the input and returns `[eventType, payload]`. */
export type EventBuilder<Definition extends AnyEventDefinition> = (
  input: EventInput<Definition>,
  options?: BuildOptions,
) => EventTuple<Definition['eventType'], EventPayload<Definition>>;

/** One builder per event type, keyed by the event type. */
export type CatalogBuilders<Definitions extends AnyEventDefinition> = {
  readonly [Definition in Definitions as Definition['eventType']]: EventBuilder<Definition>;
};

/**
 * Any `[eventType, payload]` tuple a catalog of these definitions can build. One tuple of unions (not a union
 * of tuples) so that it spreads into `enqueue(...tuple)`; narrow the payload by its own discriminant.
 */
export type CatalogTuple<Definitions extends AnyEventDefinition> = EventTuple<
  Definitions['eventType'],
  EventPayload<Definitions>
>;

/** A set of event types with their builders. */
export interface Catalog<Definitions extends AnyEventDefinition> {
  /** The supported event types, in definition order. */
  readonly eventTypes: readonly Definitions['eventType'][];
  /** One builder per event type, e.g. `catalog.builders.campaign_status_change(input)`. */
  readonly builders: CatalogBuilders<Definitions>;
  /** True when `eventType` is one of this catalog's event types (narrows a string read from outside). */
  has(eventType: unknown): eventType is Definitions['eventType'];
  /** Builds by name; an unknown name throws PayloadValidationError listing the supported ones. */
  build<Name extends Definitions['eventType']>(
    eventType: Name,
    input: EventInput<DefinitionNamed<Definitions, Name>>,
    options?: BuildOptions,
  ): EventTuple<Name, EventPayload<DefinitionNamed<Definitions, Name>>>;
  /** The ISO timestamp a build with these options would carry (the given one, or the clock's reading). */
  timestamp(options?: BuildOptions): string;
}

/**
 * Groups event definitions into a catalog whose builders return `[eventType, payload]` tuples.
 *
 * @example
 * const billing = defineCatalog([invoicePaid, invoiceVoided]);
 * await dispatcher.enqueue(...billing.builders['invoice.paid']({ id: 'in_1', cents: 500 }));
 * billing.build('invoice.voided', { id: 'in_1' }, { timestamp: '2024-05-01T12:00:00.000Z' });
 */
export function defineCatalog<const Definitions extends readonly AnyEventDefinition[]>(
  definitions: Definitions,
  options: CatalogOptions = {},
): Catalog<Definitions[number]> {
  type Definition = Definitions[number];
  type Name = Definition['eventType'];
  const clock = Object.freeze({ ...options }).clock ?? systemClock;
  const byName = new Map<string, Definition>();
  for (const definition of definitions) {
    if (byName.has(definition.eventType)) {
      throw new PayloadValidationError(
        `Invalid catalog: event type "${definition.eventType}" is defined twice`,
        {
          issues: [
            { path: ['definitions'], field: 'definitions', message: 'must not define an event type twice' },
          ],
          extra: { eventType: definition.eventType },
        },
      );
    }
    byName.set(definition.eventType, definition);
  }
  const eventTypes = Object.freeze([...byName.keys()]) as readonly Name[];

  const buildWith = (definition: Definition, input: unknown, buildOptions?: BuildOptions) => {
    const build = definition.build as (
      input: unknown,
      options: BuildOptions & { clock: Clock },
    ) => JsonObject;
    return [definition.eventType, build(input, { timestamp: buildOptions?.timestamp, clock })];
  };

  const builders: Record<string, (input: unknown, options?: BuildOptions) => unknown> = {};
  for (const definition of byName.values()) {
    builders[definition.eventType] = (input, buildOptions) => buildWith(definition, input, buildOptions);
  }

  const catalog = {
    eventTypes,
    builders: Object.freeze(builders),
    has: (eventType: unknown): eventType is Name => typeof eventType === 'string' && byName.has(eventType),
    build(eventType: string, input: unknown, buildOptions?: BuildOptions) {
      const definition = typeof eventType === 'string' ? byName.get(eventType) : undefined;
      if (definition === undefined) throw unknownEventType(eventType, eventTypes);
      return buildWith(definition, input, buildOptions);
    },
    timestamp: (buildOptions?: BuildOptions) => resolveTimestamp(buildOptions, clock),
  };
  return Object.freeze(catalog) as unknown as Catalog<Definition>;
}

/** The error for an event type a catalog does not define; lists the ones it does. */
export function unknownEventType(eventType: unknown, supported: readonly string[]): PayloadValidationError {
  const shown =
    typeof eventType === 'string' ? JSON.stringify(eventType.slice(0, 100)) : `a ${typeof eventType}`;
  const message = `is not a supported event type; supported: ${supported.join(', ')}`;
  return new PayloadValidationError(
    `Unknown event type ${shown}: supported event types are ${supported.join(', ')}`,
    {
      issues: [{ path: ['eventType'], field: 'eventType', message }],
      extra: { supported },
    },
  );
}
