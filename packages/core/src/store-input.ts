import { type DeliveryStatus, isDeliveryStatus } from './delivery-status.js';
import { InvalidInputError } from './errors.js';
import { createEventId } from './ids.js';
import {
  isPlainJson,
  type JsonValue,
  payloadJsonOf,
  toStrictJson,
  truncateUtf8,
  utf8Length,
} from './json.js';
import { checkTargetUrl } from './target-url.js';
import type { NewWebhookEvent } from './webhook-event.js';
import type { AttemptOutcome, ClaimOptions, ListEventsQuery } from './webhook-store.js';

/** Limits every store enforces on input. */
export const STORE_LIMITS = Object.freeze({
  /** Default cap on a payload's serialised size. */
  maxPayloadBytes: 1024 * 1024,
  /** Cap on a stored response body or error text. */
  maxTextBytes: 64 * 1024,
  /** Largest page of `list`, `listDue` and `claimDue`. */
  maxPageSize: 1000,
  /** Largest replay limit. */
  maxReplayLimit: 10_000,
  /** Longest lease (24 hours). */
  maxLeaseMs: 24 * 60 * 60 * 1000,
  /** Most attempts allowed per event. */
  maxAttempts: 100,
  /** Longest event type. */
  maxEventTypeLength: 200,
  /** Longest idempotency key. */
  maxIdempotencyKeyLength: 200,
  /** Most events in one insertMany. */
  maxBatchSize: 10_000,
});

/** Default attempts per event (Svix-like schedule has 8 steps). */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** Default replay cap per event. */
export const DEFAULT_MAX_REPLAYS = 5;

/** A new event checked and normalised by `prepareNewEvent`, ready for any store to write. */
export interface PreparedEvent {
  id: string;
  eventType: string;
  /**
   * The payload as stored: the caller's value itself when it is plain JSON data (`isPlainJson`: parsing
   * `payloadJson` would give an equal value), else a fresh value parsed from `payloadJson` (a Date becomes its
   * ISO text, say). Stores return it as the inserted event's payload; they keep `payloadJson`, never this value.
   */
  payload: JsonValue;
  /** The payload's JSON text: what the store keeps and what the engine sends. */
  payloadJson: string;
  targetUrl: string | null;
  status: 'pending' | 'skipped';
  maxAttempts: number;
  nextRetryAt: Date | null;
  lastError: string | null;
  idempotencyKey: string | null;
  insertedAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
}

/** Internal: shared by the input checkers of core. */
export function invalid(field: string, message: string): InvalidInputError {
  return new InvalidInputError(`${field} ${message}`, { details: { field } });
}

/** Internal: shared by the input checkers of core. */
export function checkDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(field, 'must be a valid Date');
  return value;
}

/** Internal: shared by the input checkers of core. */
export function checkInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(
      field,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}

/** Internal: shared by the input checkers of core. */
export function checkText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'must be a non-empty string');
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks a name-like text (event type, worker id, idempotency key): `checkText`, and no control characters
 * or lone surrogates, which some databases cannot store and no reader can show.
 */
export function checkName(value: unknown, field: string, max: number): string {
  // Events mostly repeat a few names: the last one accepted (within the same limit) is not checked again.
  if (typeof value === 'string' && value === lastName && max >= lastNameLength) return value;
  const text = checkText(value, field, max);
  if (CONTROL_CHARACTER.test(text)) throw invalid(field, 'must not contain control characters');
  if (LONE_SURROGATE.test(text)) throw invalid(field, 'must not contain lone UTF-16 surrogates');
  lastName = text;
  lastNameLength = text.length;
  return text;
}

/** The last name `checkName` accepted, and its length. */
let lastName: string | undefined;
let lastNameLength = 0;

/** Checks a caller's `now` (a valid Date) and returns a copy. */
export function checkNow(value: unknown, field = 'now'): Date {
  return new Date(checkDate(value, field).getTime());
}

/** Checks that an options argument is an object. */
export function checkObject(value: unknown, field = 'options'): void {
  if (typeof value !== 'object' || value === null) throw invalid(field, 'must be an object');
}

/** Checks that an argument is an array. */
export function checkArray(value: unknown, field: string): void {
  if (!Array.isArray(value)) throw invalid(field, 'must be an array');
}

/** Checks a worker id (non-empty, at most 200 characters). */
export function checkWorkerId(value: unknown): string {
  return checkName(value, 'workerId', 200);
}

/** Checks an event id's shape. */
export function checkEventId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw invalid(field, 'must be 1 to 64 letters, digits, "_" or "-"');
  }
  return value;
}

/** Validates and normalises one new event; throws `InvalidInputError` naming the bad field. */
export function prepareNewEvent(
  input: NewWebhookEvent,
  now: Date,
  maxPayloadBytes: number = STORE_LIMITS.maxPayloadBytes,
): PreparedEvent {
  if (typeof input !== 'object' || input === null) throw invalid('event', 'must be an object');
  const id = input.id === undefined ? createEventId(now.getTime()) : checkEventId(input.id);
  const eventType = checkName(input.eventType, 'eventType', STORE_LIMITS.maxEventTypeLength);
  // Text the engine already serialised strictly (attachPayloadJson) is reused instead of serialising again.
  const attached = payloadJsonOf(input);
  // Plain JSON data needs no copy: the store keeps the text, so later changes to the caller's value change nothing stored.
  const plain = isPlainJson(input.payload);
  const payloadJson =
    attached ?? (plain ? JSON.stringify(input.payload) : toStrictJson(input.payload, 'payload'));
  const size = utf8Length(payloadJson);
  if (size > maxPayloadBytes) {
    throw invalid('payload', `is ${size} bytes, over the ${maxPayloadBytes}-byte limit`);
  }
  const targetUrl =
    input.targetUrl === undefined || input.targetUrl === null ? null : checkTargetUrl(input.targetUrl);
  const maxAttempts =
    input.maxAttempts === undefined
      ? DEFAULT_MAX_ATTEMPTS
      : checkInt(input.maxAttempts, 'maxAttempts', 1, STORE_LIMITS.maxAttempts);
  const nextRetryAt =
    input.nextRetryAt === undefined || input.nextRetryAt === null
      ? null
      : checkDate(input.nextRetryAt, 'nextRetryAt');
  const idempotencyKey =
    input.idempotencyKey === undefined || input.idempotencyKey === null
      ? null
      : checkName(input.idempotencyKey, 'idempotencyKey', STORE_LIMITS.maxIdempotencyKeyLength);
  let status: 'pending' | 'skipped' = 'pending';
  let lastError: string | null = null;
  if (input.skip !== undefined) {
    status = 'skipped';
    lastError = truncateUtf8(checkText(input.skip?.reason, 'skip.reason', 10_000), STORE_LIMITS.maxTextBytes);
  }
  let lockedBy: string | null = null;
  let lockedUntil: Date | null = null;
  if (input.lease !== undefined && status === 'pending') {
    lockedBy = checkWorkerId(input.lease?.workerId);
    lockedUntil = new Date(
      now.getTime() + checkInt(input.lease?.leaseMs, 'lease.leaseMs', 1, STORE_LIMITS.maxLeaseMs),
    );
  }
  return {
    id,
    eventType,
    payload: plain ? (input.payload as JsonValue) : (JSON.parse(payloadJson) as JsonValue),
    payloadJson,
    targetUrl,
    status,
    maxAttempts,
    nextRetryAt,
    lastError,
    idempotencyKey,
    insertedAt: now,
    lockedBy,
    lockedUntil,
  };
}

/** Validates a batch for insertMany: an array of at most `STORE_LIMITS.maxBatchSize` events. */
export function prepareNewEvents(
  inputs: readonly NewWebhookEvent[],
  now: Date,
  maxPayloadBytes?: number,
): PreparedEvent[] {
  if (!Array.isArray(inputs)) throw invalid('events', 'must be an array');
  if (inputs.length > STORE_LIMITS.maxBatchSize) {
    throw invalid('events', `must hold at most ${STORE_LIMITS.maxBatchSize} events, got ${inputs.length}`);
  }
  return inputs.map((input, index) => {
    try {
      return prepareNewEvent(input, now, maxPayloadBytes);
    } catch (error) {
      if (InvalidInputError.isInstance(error)) {
        const field = `events[${index}].${String(error.details?.field ?? 'event')}`;
        throw new InvalidInputError(error.message.replace(/^\S+/, field), { details: { field } });
      }
      throw error;
    }
  });
}

/** A list query with defaults applied and every filter checked. */
export interface NormalisedListQuery {
  statuses: DeliveryStatus[] | null;
  eventTypes: string[] | null;
  since: Date | null;
  until: Date | null;
  limit: number;
  afterId: string | null;
  order: 'asc' | 'desc';
}

/** Internal: shared by the input checkers of core. */
export function toList<T>(value: T | readonly T[] | undefined): T[] | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** Checks a list query and decodes its cursor. */
export function normaliseListQuery(query: ListEventsQuery = {}): NormalisedListQuery {
  const statuses = toList(query.status);
  for (const status of statuses ?? []) {
    if (!isDeliveryStatus(status))
      throw invalid(
        'status',
        `must be one of pending, delivered, failed, skipped; got ${JSON.stringify(status)}`,
      );
  }
  const eventTypes = toList(query.eventType);
  for (const type of eventTypes ?? []) checkName(type, 'eventType', STORE_LIMITS.maxEventTypeLength);
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalid('order', 'must be "asc" or "desc"');
  return {
    statuses,
    eventTypes,
    since: query.since === undefined ? null : checkDate(query.since, 'since'),
    until: query.until === undefined ? null : checkDate(query.until, 'until'),
    limit: query.limit === undefined ? 50 : checkInt(query.limit, 'limit', 1, STORE_LIMITS.maxPageSize),
    afterId: query.cursor === undefined || query.cursor === null ? null : decodeCursor(query.cursor),
    order,
  };
}

/** Encodes the last id of a page as an opaque cursor. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; throws `InvalidInputError` for anything else. */
export function decodeCursor(cursor: unknown): string {
  if (typeof cursor !== 'string' || cursor.length > 200) throw invalid('cursor', 'is not a valid cursor');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('v1:')) throw invalid('cursor', 'is not a valid cursor');
  return checkEventId(text.slice(3), 'cursor');
}

/** Checks `listDue` options; returns the limit. */
export function checkDueLimit(limit: unknown): number {
  return limit === undefined ? 100 : checkInt(limit, 'limit', 1, STORE_LIMITS.maxPageSize);
}

/** Checks claim options. */
export function checkClaimOptions(options: ClaimOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  checkWorkerId(options.workerId);
  checkInt(options.limit, 'limit', 1, STORE_LIMITS.maxPageSize);
  checkLeaseMs(options.leaseMs);
  if (options.now !== undefined) checkDate(options.now, 'now');
}

/** Checks a lease length. */
export function checkLeaseMs(leaseMs: unknown): number {
  return checkInt(leaseMs, 'leaseMs', 1, STORE_LIMITS.maxLeaseMs);
}

/** An outcome checked, with texts capped, ready to write. */
export interface PreparedOutcome {
  eventId: string;
  workerId: string;
  attemptNumber: number;
  kind: 'delivered' | 'retry' | 'failed' | 'skipped';
  nextRetryAt: Date | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  /** `requestHeaders` as JSON (for SQL stores; null when asked not to serialise them). */
  requestHeadersJson: string | null;
  requestHeaders: Record<string, string> | null;
}

/**
 * Checks an attempt outcome and caps its texts. `headersJson: false` leaves `requestHeadersJson` null (a store
 * that keeps the headers object, not JSON text, skips serialising them).
 */
export function prepareOutcome(outcome: AttemptOutcome, headersJson = true): PreparedOutcome {
  if (typeof outcome !== 'object' || outcome === null) throw invalid('outcome', 'must be an object');
  const eventId = checkEventId(outcome.eventId, 'eventId');
  const workerId = checkWorkerId(outcome.workerId);
  const attemptNumber = checkInt(outcome.attemptNumber, 'attemptNumber', 1, STORE_LIMITS.maxAttempts);
  const attempt = outcome.attempt;
  if (typeof attempt !== 'object' || attempt === null) throw invalid('attempt', 'must be an object');
  const startedAt = checkDate(attempt.startedAt, 'attempt.startedAt');
  const finishedAt = checkDate(attempt.finishedAt, 'attempt.finishedAt');
  const responseStatus =
    attempt.responseStatus === undefined || attempt.responseStatus === null
      ? null
      : checkInt(attempt.responseStatus, 'attempt.responseStatus', 100, 599);
  const result = outcome.result;
  const kind = result?.kind;
  if (kind !== 'delivered' && kind !== 'retry' && kind !== 'failed' && kind !== 'skipped') {
    throw invalid('result.kind', 'must be delivered, retry, failed or skipped');
  }
  let error = optionalText(attempt.error, 'attempt.error');
  if (result.kind === 'skipped') error = capText(checkText(result.reason, 'result.reason', 1_000_000));
  let requestHeaders: Record<string, string> | null = null;
  if (attempt.requestHeaders !== undefined && attempt.requestHeaders !== null) {
    if (typeof attempt.requestHeaders !== 'object')
      throw invalid('attempt.requestHeaders', 'must be an object');
    const given = attempt.requestHeaders as Record<string, unknown>;
    requestHeaders = {};
    for (const name of Object.keys(given)) {
      const value = given[name];
      if (typeof value !== 'string')
        throw invalid('attempt.requestHeaders', `value of ${name} must be a string`);
      requestHeaders[name] = value;
    }
  }
  return {
    eventId,
    workerId,
    attemptNumber,
    kind,
    nextRetryAt: result.kind === 'retry' ? checkDate(result.nextRetryAt, 'result.nextRetryAt') : null,
    startedAt,
    finishedAt,
    durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
    responseStatus,
    responseBody: optionalText(attempt.responseBody, 'attempt.responseBody'),
    error,
    requestHeadersJson: requestHeaders === null || !headersJson ? null : JSON.stringify(requestHeaders),
    requestHeaders,
  };
}

function optionalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  return capText(value);
}

/** Internal: `value` cut to the longest text a store keeps (`STORE_LIMITS.maxTextBytes`, at a UTF-8 boundary). */
export function capText(value: string): string {
  return truncateUtf8(value, STORE_LIMITS.maxTextBytes);
}

/** Checks `recordOutcomes` options; returns whether rows are returned (default true). */
export function checkReturnEvents(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  const value = (options as { returnEvents?: unknown }).returnEvents;
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw invalid('options.returnEvents', 'must be a boolean');
  return value;
}
