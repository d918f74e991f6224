import { InvalidInputError } from './errors.js';

/** The last target URL `checkTargetUrl` accepted (events mostly repeat a few targets). */
let lastTargetUrl: string | undefined;

function refuse(field: string, label: string, message: string): InvalidInputError {
  return new InvalidInputError(`${label} ${message}`, { details: { field } });
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * Internal: checks a target URL (an event's, or one a replay selects by): an absolute http or https URL.
 * The URL itself is never echoed (it may hold a credential). `label` names the value in the message
 * (`targetUrl[1]`, say); `details.field` is always `field`.
 */
export function checkTargetUrl(value: unknown, field = 'targetUrl', label = field): string {
  if (typeof value === 'string' && value === lastTargetUrl) return value;
  if (typeof value !== 'string') throw refuse(field, label, `must be a string, got ${kindOf(value)}`);
  if (!URL.canParse(value)) throw refuse(field, label, 'must be an absolute URL');
  const protocol = new URL(value).protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    throw refuse(field, label, 'must be an http or https URL');
  lastTargetUrl = value;
  return value;
}
