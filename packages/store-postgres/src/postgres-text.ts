import {
  type AttemptOutcome,
  InvalidInputError,
  type JsonValue,
  type NewWebhookEvent,
  type PreparedEvent,
  type PreparedOutcome,
  prepareNewEvents,
  prepareOutcome,
} from '@hooks/core';

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL cannot store a string (NUL characters, lone UTF-16 surrogates), or undefined. */
function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate';
  return undefined;
}

function findUnstorable(value: JsonValue): string | undefined {
  if (typeof value === 'string') return unstorable(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findUnstorable(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorable(key) ?? findUnstorable(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Refuses a payload JSONB cannot hold (a string with `\u0000` or a lone surrogate) with an
 * `InvalidInputError` naming `field`, before anything is written.
 */
export function checkStorablePayload(payload: JsonValue, field: string): void {
  const reason = findUnstorable(payload);
  if (reason === undefined) return;
  throw new InvalidInputError(`${field} contains ${reason}, which PostgreSQL JSONB cannot store`, {
    details: { field },
  });
}

/**
 * A text PostgreSQL can store: NUL characters (which `text` columns refuse) become U+FFFD. Used for texts
 * that come from receivers (response bodies, error messages), which must be recorded, not refused.
 */
export function storableText(text: string | null): string | null {
  if (text === null || !text.includes('\u0000')) return text;
  return text.replaceAll('\u0000', '\uFFFD');
}

/** Checks `recordOutcome(s)` input (an array when `many`) and makes its texts storable in PostgreSQL. */
export function preparePostgresOutcomes(
  outcomes: readonly AttemptOutcome[],
  many: boolean,
): PreparedOutcome[] {
  if (many && !Array.isArray(outcomes)) {
    throw new InvalidInputError('outcomes must be an array', { details: { field: 'outcomes' } });
  }
  return outcomes.map((outcome) => {
    const checked = prepareOutcome(outcome);
    return {
      ...checked,
      responseBody: storableText(checked.responseBody),
      error: storableText(checked.error),
    };
  });
}

/** Refuses a payload JSONB cannot hold (naming `field`) and makes the event's texts storable. */
export function preparePostgresEvent(event: PreparedEvent, field: string): PreparedEvent {
  checkStorablePayload(event.payload, field);
  return { ...event, lastError: storableText(event.lastError) };
}

/** `prepareNewEvents` for PostgreSQL: checked, then made storable (`events[i].payload` named on refusal). */
export function preparePostgresEvents(
  events: readonly NewWebhookEvent[],
  now: Date,
  maxPayloadBytes: number,
): PreparedEvent[] {
  return prepareNewEvents(events, now, maxPayloadBytes).map((event, index) =>
    preparePostgresEvent(event, `events[${index}].payload`),
  );
}
