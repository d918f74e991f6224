import { ConfigurationError } from '@hooks/core';

/** Throws a `ConfigurationError` naming `field`. */
export function fail(field: string, message: string, cause?: unknown): never {
  throw new ConfigurationError(`${field} ${message}`, { details: { field }, cause });
}

/** An integer option from `min` to `max`, or `fallback` when undefined. */
export function intOption(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An options object (absent = empty); anything else is refused. */
export function objectOption<T extends object>(value: T | undefined, field: string): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  return value;
}

/** A function option, or undefined. */
export function functionOption<T>(value: T | undefined, field: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(field, 'must be a function');
  return value;
}

/** Checks a target URL: an absolute http(s) URL (the URL itself is not echoed: it may hold a token). */
export function checkTargetUrl(value: unknown, field = 'targetUrl'): string {
  if (typeof value !== 'string' || !URL.canParse(value)) fail(field, 'must be an absolute http or https URL');
  const protocol = new URL(value).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') fail(field, 'must be an http or https URL');
  return value;
}
