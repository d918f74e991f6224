/** The brand @hooks/core's `HooksError.isInstance` looks for; shared by every @hooks error class. */
const HOOKS_ERROR_BRAND = Symbol.for('@hooks/error');

/** Codes carried by a failed verification (`WebhookVerificationError`). */
export type VerificationErrorCode =
  | 'HOOKS_ERR_SIGNATURE_MISMATCH'
  | 'HOOKS_ERR_SIGNATURE_EXPIRED'
  | 'HOOKS_ERR_SIGNATURE_HEADERS'
  | 'HOOKS_ERR_SIGNATURE_PAYLOAD';

/** Every stable code that @hooks/signing throws. */
export type SigningErrorCode =
  | VerificationErrorCode
  | 'HOOKS_ERR_SIGNATURE_SECRET'
  | 'HOOKS_ERR_INVALID_INPUT';

/** Options accepted by every @hooks/signing error constructor. */
export interface SigningErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured, secret-free details (e.g. `{ field: 'timestamp' }`). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error @hooks/signing throws: a stable `code`, a `cause` and secret-free `details`.
 * Branded like @hooks/core's `HooksError`, so `HooksError.isInstance(error)` is true for it too.
 */
export class SigningError extends Error {
  /** Stable, namespaced, machine-readable code. */
  readonly code: SigningErrorCode;
  /** Structured, secret-free details (e.g. `{ field: 'secret' }`). */
  readonly details: Record<string, unknown> | undefined;
  /** Brand shared with @hooks/core's errors. */
  readonly [HOOKS_ERROR_BRAND] = true;

  constructor(code: SigningErrorCode, message: string, options: SigningErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** True when `value` is this error class (by brand and code), even from another copy of the package. */
  static isInstance<T extends abstract new (...args: never[]) => SigningError>(
    this: T & { readonly errorCodes?: readonly string[] },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[HOOKS_ERROR_BRAND] !== true) return false;
    const codes = this.errorCodes;
    return codes === undefined || codes.includes((value as SigningError).code);
  }
}

/** Options of a `WebhookVerificationError`: the code defaults to `HOOKS_ERR_SIGNATURE_MISMATCH`. */
export interface WebhookVerificationErrorOptions extends SigningErrorOptions {
  /** Why verification failed. */
  code?: VerificationErrorCode;
}

/**
 * A webhook failed verification: wrong signature, timestamp out of tolerance, missing or garbled headers,
 * or a body of the wrong type or size. Same class name as the `standardwebhooks` package's error.
 */
export class WebhookVerificationError extends SigningError {
  /** The codes a WebhookVerificationError may carry. */
  static readonly errorCodes: readonly VerificationErrorCode[] = [
    'HOOKS_ERR_SIGNATURE_MISMATCH',
    'HOOKS_ERR_SIGNATURE_EXPIRED',
    'HOOKS_ERR_SIGNATURE_HEADERS',
    'HOOKS_ERR_SIGNATURE_PAYLOAD',
  ];
  /** Why verification failed. */
  declare readonly code: VerificationErrorCode;

  constructor(message: string, options: WebhookVerificationErrorOptions = {}) {
    super(options.code ?? 'HOOKS_ERR_SIGNATURE_MISMATCH', message, options);
  }
}

/** A secret or key is empty, malformed, or of the wrong kind. The message never contains the secret. */
export class SigningSecretError extends SigningError {
  /** The codes a SigningSecretError carries. */
  static readonly errorCodes: readonly SigningErrorCode[] = ['HOOKS_ERR_SIGNATURE_SECRET'];

  constructor(message: string, options?: SigningErrorOptions) {
    super('HOOKS_ERR_SIGNATURE_SECRET', message, options);
  }
}

/**
 * A caller passed a bad option or a bad value to sign; `details.field` names it. Its code is
 * @hooks/core's `HOOKS_ERR_INVALID_INPUT`, so core's `InvalidInputError.isInstance` recognises it.
 */
export class SigningInputError extends SigningError {
  /** The codes a SigningInputError carries. */
  static readonly errorCodes: readonly SigningErrorCode[] = ['HOOKS_ERR_INVALID_INPUT'];

  constructor(field: string, message: string, options?: SigningErrorOptions) {
    super('HOOKS_ERR_INVALID_INPUT', message, { ...options, details: { field, ...options?.details } });
  }
}

/** Builds a verification error with a code. */
export function verificationError(
  code: VerificationErrorCode,
  message: string,
  cause?: unknown,
): WebhookVerificationError {
  return new WebhookVerificationError(message, { code, cause });
}

/** Re-throws our own errors; wraps anything else (a throwing getter, a Proxy) as a verification error. */
export function asVerificationError(error: unknown): SigningError {
  if (error instanceof SigningError) return error;
  return verificationError(
    'HOOKS_ERR_SIGNATURE_HEADERS',
    'Could not read the webhook headers or body',
    error,
  );
}
