import { ConfigurationError } from '@hooks/core';

/** Options of endpoint health (`createDispatcher({ endpointHealth })`). 410 Gone always disables a target. */
export interface EndpointHealthOptions {
  /** Disable a target after this many consecutive failed attempts, across every worker (default off). */
  disableAfterFailures?: number | null;
  /** Disable a target that has been failing continuously for this long, in milliseconds (default off). */
  disableAfterMs?: number | null;
  /** How often the disabled targets are re-read from the store, in milliseconds (default 5000). */
  refreshMs?: number;
}

/** Endpoint health options after validation and defaults; frozen. */
export interface ResolvedEndpointHealthOptions {
  /** Consecutive failed attempts that disable a target, or null (off). */
  readonly disableAfterFailures: number | null;
  /** Length of a failure streak that disables a target, in milliseconds, or null (off). */
  readonly disableAfterMs: number | null;
  /** How often the disabled targets are re-read from the store, in milliseconds. */
  readonly refreshMs: number;
}

/** The default `refreshMs`: how stale this process's view of disabled targets may get (5 s). */
export const DEFAULT_ENDPOINT_REFRESH_MS = 5000;

function threshold(value: unknown, field: string, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigurationError(`endpointHealth.${field} must be an integer from 1 to ${max}, or null`, {
      details: { field: `endpointHealth.${field}` },
    });
  }
  return value;
}

/**
 * Validates `endpointHealth` options, applies defaults (both auto-disable thresholds off) and freezes them.
 * Throws `ConfigurationError` naming the bad option.
 *
 * @example
 * const health = resolveEndpointHealthOptions({ disableAfterFailures: 20, disableAfterMs: 24 * 3_600_000 });
 */
export function resolveEndpointHealthOptions(
  input: EndpointHealthOptions = {},
): ResolvedEndpointHealthOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigurationError('endpointHealth must be an object', {
      details: { field: 'endpointHealth' },
    });
  }
  return Object.freeze({
    disableAfterFailures: threshold(input.disableAfterFailures, 'disableAfterFailures', 1_000_000),
    disableAfterMs: threshold(input.disableAfterMs, 'disableAfterMs', 365 * 24 * 3_600_000),
    refreshMs: threshold(input.refreshMs, 'refreshMs', 3_600_000) ?? DEFAULT_ENDPOINT_REFRESH_MS,
  });
}
