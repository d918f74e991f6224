/** Brand shared with every @hooks error class, so `HooksError.isInstance` from @hooks/core recognises ours. */
const HOOKS_ERROR_BRAND = Symbol.for('@hooks/error');
/** The code of core's InvalidInputError, which this error shares. */
const INVALID_INPUT = 'HOOKS_ERR_INVALID_INPUT';

/** One thing wrong with a builder's input. */
export interface PayloadIssue {
  /** Where in the input, e.g. `['campaign', 'status']` (empty for the input as a whole). */
  readonly path: readonly (string | number)[];
  /** The path in plain words, e.g. `campaign.status` or `input`. */
  readonly field: string;
  /** What is wrong, as a predicate on the field, e.g. `must be one of draft, pending`. */
  readonly message: string;
}

/** Details carried by every PayloadValidationError. */
export interface PayloadValidationDetails {
  /** The first offending field, as `@hooks/core`'s InvalidInputError does. */
  readonly field: string;
  /** Every offending field with what is wrong with it. */
  readonly issues: readonly PayloadIssue[];
  /** Extra, secret-free facts (e.g. `supported` event types). */
  readonly [key: string]: unknown;
}

/** Options of the PayloadValidationError constructor. */
export interface PayloadValidationErrorOptions {
  /** What was wrong (at least one issue). */
  readonly issues: readonly PayloadIssue[];
  /** The underlying error (the ZodError for input validation). */
  readonly cause?: unknown;
  /** Extra, secret-free details merged into `details`. */
  readonly extra?: Record<string, unknown>;
}

/**
 * A builder was given bad input. Nothing was built. Recognised by `InvalidInputError.isInstance` from
 * `@hooks/core` (same brand, code `HOOKS_ERR_INVALID_INPUT`), without depending on it.
 *
 * @example
 * try { campaignflow.campaignStatusChange(row, 'bogus' as never); } catch (error) {
 *   if (PayloadValidationError.isInstance(error)) console.log(error.details.field); // 'previousStatus'
 * }
 */
export class PayloadValidationError extends Error {
  /** The code every PayloadValidationError carries (the same as core's InvalidInputError). */
  static readonly errorCode = INVALID_INPUT;
  /** Stable, namespaced, machine-readable code. */
  readonly code: typeof INVALID_INPUT = INVALID_INPUT;
  /** The offending field(s) and what is wrong with each. */
  readonly details: PayloadValidationDetails;
  /** Brand read by `HooksError.isInstance` in @hooks/core. */
  readonly [HOOKS_ERROR_BRAND] = true;

  /** Creates the error; `details.field` is the first issue's field. */
  constructor(message: string, options: PayloadValidationErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PayloadValidationError';
    const issues = Object.freeze(options.issues.map((issue) => Object.freeze({ ...issue })));
    this.details = Object.freeze({ ...options.extra, field: issues[0]?.field ?? 'input', issues });
  }

  /** True when `value` is a branded @hooks error with this class's code, even from another package copy. */
  static isInstance(value: unknown): value is PayloadValidationError {
    if (typeof value !== 'object' || value === null) return false;
    const record = value as Record<string | symbol, unknown>;
    return record[HOOKS_ERROR_BRAND] === true && record['code'] === INVALID_INPUT;
  }
}
