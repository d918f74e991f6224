import { ApiError, notFound } from '../api-error.js';
import type { PageRequest } from '../domain/pagination.js';

/** Largest id the integer columns hold (PostgreSQL `integer`). */
export const MAX_ROW_ID = 2_147_483_647;

/** The numeric row id in a path, or a 404 naming the resource (ids that cannot exist are unknown ids). */
export function rowId(raw: string, resource: string): number {
  const id = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id) || id > MAX_ROW_ID) throw notFound(resource, raw.slice(0, 40));
  return id;
}

/** A query parameter as one string, or undefined; a repeated parameter is a 400. */
export function queryText(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new ApiError(400, 'bad_request', `query parameter ${name} must be given once`, {
      details: { field: name },
    });
  }
  // PostgreSQL text cannot hold NUL: refuse it here, naming the parameter, not deep in a query.
  if (value.includes('\u0000')) {
    throw new ApiError(400, 'bad_request', `query parameter ${name} must not contain NUL characters`, {
      details: { field: name },
    });
  }
  return value;
}

/** An integer query parameter in a range, or `fallback` when absent; anything else is a 400 naming it. */
export function queryInteger(
  query: Record<string, unknown>,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const text = queryText(query, name);
  if (text === undefined) return range.fallback;
  const value = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ApiError(
      400,
      'bad_request',
      `query parameter ${name} must be an integer from ${range.min} to ${range.max}`,
      {
        details: { field: name },
      },
    );
  }
  return value;
}

/** `page` (default 1) and `per_page` (default 25, at most 100) from a query string. */
export function pageRequest(query: Record<string, unknown>): PageRequest {
  return {
    page: queryInteger(query, 'page', { min: 1, max: 1_000_000, fallback: 1 }),
    perPage: queryInteger(query, 'per_page', { min: 1, max: 100, fallback: 25 }),
  };
}

/** JSON schema of a text field: no NUL characters (PostgreSQL text cannot hold them). */
export function textSchema(maxLength: number, minLength = 0): Record<string, unknown> {
  return { type: 'string', minLength, maxLength, pattern: '^[^\\u0000]*$' };
}

/** JSON schema of a nullable text field. */
export function nullableTextSchema(maxLength: number): Record<string, unknown> {
  return { anyOf: [textSchema(maxLength), { type: 'null' }] };
}

/** JSON schema of `{ "status": "<text>" }` (the enum is checked by the route, answering 422). */
export const STATUS_BODY = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: textSchema(64) },
} as const;

/** Parses an ISO-8601 time from a request field; 400 naming the field otherwise. */
export function isoTime(value: string, field: string): Date {
  const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
    ? new Date(value)
    : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw new ApiError(400, 'bad_request', `${field} must be an ISO-8601 time such as 2024-05-01T12:00:00Z`, {
      details: { field },
    });
  }
  return time;
}
