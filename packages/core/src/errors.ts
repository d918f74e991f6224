/** Brand shared by every @hooks error class, so `isInstance` works across duplicated package copies. */
const HOOKS_ERROR_BRAND = Symbol.for('@hooks/error');

/** Every stable error code that @hooks packages throw. */
export type HooksErrorCode =
  | 'HOOKS_ERR_NOT_FOUND'
  | 'HOOKS_ERR_CONFLICT'
  | 'HOOKS_ERR_INVALID_INPUT'
  | 'HOOKS_ERR_CONFIGURATION'
  | 'HOOKS_ERR_STORE_UNAVAILABLE'
  | 'HOOKS_ERR_DELIVERY'
  | 'HOOKS_ERR_QUEUE_FULL'
  | 'HOOKS_ERR_CLOSED'
  | (string & {});

/** Options accepted by every @hooks error constructor. */
export interface HooksErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured, secret-free details a caller may show (e.g. the offending field). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error @hooks throws: a stable namespaced `code`, an optional `cause` and `details`.
 *
 * @example
 * try { await store.get('nope'); } catch (error) {
 *   if (NotFoundError.isInstance(error)) console.log(error.code); // 'HOOKS_ERR_NOT_FOUND'
 * }
 */
export class HooksError extends Error {
  /** Stable, namespaced, machine-readable code. */
  readonly code: HooksErrorCode;
  /** Structured, secret-free details (e.g. `{ field: 'limit' }`). */
  readonly details: Record<string, unknown> | undefined;
  /** Brand used by `isInstance`. */
  readonly [HOOKS_ERROR_BRAND] = true;

  constructor(code: HooksErrorCode, message: string, options: HooksErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** True when `value` is this error class (or a subclass), even from another copy of the package. */
  static isInstance<T extends abstract new (...args: never[]) => HooksError>(
    this: T & { readonly errorCode?: HooksErrorCode },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[HOOKS_ERROR_BRAND] !== true) return false;
    const expected = this.errorCode;
    return expected === undefined || (value as HooksError).code === expected;
  }
}

/** A row, event or resource that was asked for does not exist. */
export class NotFoundError extends HooksError {
  /** The code every NotFoundError carries. */
  static readonly errorCode = 'HOOKS_ERR_NOT_FOUND';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** The operation conflicts with the current state (e.g. a duplicate id, a lost lease). */
export class ConflictError extends HooksError {
  /** The code every ConflictError carries. */
  static readonly errorCode = 'HOOKS_ERR_CONFLICT';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** The caller passed something invalid; `details.field` names it. Nothing was written. */
export class InvalidInputError extends HooksError {
  /** The code every InvalidInputError carries. */
  static readonly errorCode = 'HOOKS_ERR_INVALID_INPUT';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** The library was configured wrongly (no target, bad secret, schema too old, ...). */
export class ConfigurationError extends HooksError {
  /** The code every ConfigurationError carries. */
  static readonly errorCode = 'HOOKS_ERR_CONFIGURATION';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** The store could not be reached or failed; the operation may succeed if retried later. */
export class StoreUnavailableError extends HooksError {
  /** The code every StoreUnavailableError carries. */
  static readonly errorCode = 'HOOKS_ERR_STORE_UNAVAILABLE';
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** One delivery attempt failed; `retryable` tells whether trying again may help. */
export class DeliveryError extends HooksError {
  /** The code every DeliveryError carries. */
  static readonly errorCode = 'HOOKS_ERR_DELIVERY';
  /** Whether another attempt may succeed (timeouts, 5xx, network errors) or not (410 Gone). */
  readonly retryable: boolean;
  constructor(message: string, options: HooksErrorOptions & { retryable: boolean }) {
    super(new.target.errorCode, message, options);
    this.retryable = options.retryable;
  }
}
