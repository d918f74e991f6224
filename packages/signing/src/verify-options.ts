import { DEFAULT_MAX_BODY_BYTES } from './body-input.js';
import { SigningInputError } from './signing-errors.js';

/** Default timestamp tolerance: 5 minutes, in both directions. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A clock: milliseconds since the epoch (like `Date.now`) or a `Date`. */
export type Clock = () => number | Date;

/** Limits every verifier applies; all optional. */
export interface VerifyLimitsOptions {
  /** Largest accepted distance between the signed timestamp and now, both directions (default 300 s). */
  toleranceSeconds?: number;
  /** The clock verification compares timestamps with (default `Date.now`); inject one in tests. */
  now?: Clock;
  /** Largest body verify accepts, in bytes (default 20 MiB); a larger one is refused before hashing. */
  maxBodyBytes?: number;
}

/** The limits with defaults applied, frozen. */
export interface VerifyLimits {
  /** Tolerance in seconds. */
  readonly toleranceSeconds: number;
  /** The clock. */
  readonly now: Clock;
  /** Largest body in bytes. */
  readonly maxBodyBytes: number;
}

/** Secrets given as one `secret` or several `secrets` (rotation: the first signs first, any verifies). */
export interface SecretsOptions<S> {
  /** The one active secret. */
  secret?: S;
  /** Several active secrets, e.g. the new and the old one during a rotation. */
  secrets?: readonly S[];
}

/** Checks the options argument itself is an object (or absent). */
export function checkOptionsObject(options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SigningInputError('options', 'The options must be an object');
  }
  return options as Record<string, unknown>;
}

/** Validates and copies the verification limits, applying defaults. */
export function normaliseVerifyLimits(options: VerifyLimitsOptions): VerifyLimits {
  const {
    toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
    now = Date.now,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  } = options;
  if (typeof toleranceSeconds !== 'number' || Number.isNaN(toleranceSeconds) || toleranceSeconds < 0) {
    throw new SigningInputError('toleranceSeconds', 'toleranceSeconds must be a number of seconds >= 0');
  }
  if (typeof now !== 'function') {
    throw new SigningInputError('now', 'now must be a function returning milliseconds or a Date');
  }
  if (typeof maxBodyBytes !== 'number' || !(maxBodyBytes >= 1)) {
    throw new SigningInputError('maxBodyBytes', 'maxBodyBytes must be a number of bytes >= 1');
  }
  return Object.freeze({ toleranceSeconds, now, maxBodyBytes });
}

/** Collects `secret` and `secrets` into one non-empty list. */
export function collectSecrets<S>(options: SecretsOptions<S>): S[] {
  const { secret, secrets } = options;
  if (secrets !== undefined && !Array.isArray(secrets)) {
    throw new SigningInputError('secrets', 'secrets must be an array');
  }
  const all = secret === undefined ? [...(secrets ?? [])] : [secret, ...(secrets ?? [])];
  if (all.length === 0) throw new SigningInputError('secret', 'Pass a secret (or secrets)');
  return all;
}
