import type { z } from 'zod';
import { type PayloadIssue, PayloadValidationError } from './payload-validation-error.js';

const MAX_ISSUES_IN_MESSAGE = 5;
const MAX_KEY_LENGTH = 60;
const REQUIRED_CODES = new Set(['invalid_type', 'invalid_value', 'invalid_union']);
const ARTICLES = new Map<string, string>([
  ['int', 'an integer'],
  ['object', 'an object'],
  ['array', 'an array'],
  ['date', 'a valid Date'],
  ['string', 'a string'],
  ['number', 'a number'],
  ['boolean', 'a boolean'],
]);

/**
 * Parses `input` with `schema`, wording every issue as a predicate on its field; bad input throws a
 * PayloadValidationError whose message names each offending field, e.g. `campaign.status must be one of ...`.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  subject: string,
): z.output<Schema> {
  const result = schema.safeParse(input, { error: plainWords });
  if (result.success) return result.data;
  throw toPayloadValidationError(subject, result.error);
}

/** Turns a ZodError into a PayloadValidationError about `subject` (e.g. `campaign_status_change input`). */
export function toPayloadValidationError(subject: string, error: z.ZodError): PayloadValidationError {
  const issues = error.issues.flatMap(toPayloadIssues);
  return new PayloadValidationError(describe(subject, issues), { cause: error, issues });
}

/** A one-line message: `Invalid <subject>: a must ...; b is required`. */
export function describe(subject: string, issues: readonly PayloadIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => `${issue.field} ${issue.message}`);
  const more = issues.length - shown.length;
  return `Invalid ${subject}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** Names a path in plain words: `campaign.status`, `items[2].id`, or `input` for the whole input. */
export function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const key of path) {
    if (typeof key === 'number') name += `[${key}]`;
    else {
      const text = String(key).slice(0, MAX_KEY_LENGTH);
      name += /^[A-Za-z_$][\w$]*$/.test(text)
        ? `${name === '' ? '' : '.'}${text}`
        : `[${JSON.stringify(text)}]`;
    }
  }
  return name === '' ? 'input' : name;
}

function toPayloadIssues(issue: z.core.$ZodIssue): PayloadIssue[] {
  const base = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...base, key];
      return { path, field: fieldName(path), message: 'is not allowed here' };
    });
  }
  return [{ path: base, field: fieldName(base), message: issue.message }];
}

/** Zod error map that words each issue as a predicate ("is required", "must be ..."); custom messages win. */
function plainWords(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.input === undefined && REQUIRED_CODES.has(issue.code)) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int' && typeof issue.input === 'number') return 'must be a whole number';
      return `must be ${ARTICLES.get(issue.expected) ?? issue.expected}, not ${kindOf(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${show(issue.values[0])}`
        : `must be one of ${issue.values.map(show).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) === 1
          ? 'must not be empty'
          : `must be at least ${issue.minimum} characters`;
      }
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'must be an ISO-8601 date-time such as 2024-05-01T12:00:00.000Z'
        : `must be a valid ${issue.format}`;
    case 'invalid_union':
      return 'is not in any accepted form';
    default:
      return undefined;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const kind = typeof value;
  return kind === 'object' || kind === 'undefined' ? `an ${kind}` : `a ${kind}`;
}
