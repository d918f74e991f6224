import { HooksError } from '@hooks/core';

/** The JSON body of every error response: `{ "error": { "code", "message", "details"? } }`. */
export interface ErrorBody {
  /** The error. */
  error: {
    /** Stable snake_case code, e.g. `not_found`. */
    code: string;
    /** One human-readable sentence. */
    message: string;
    /** Structured extras (the offending field, validation issues, ...). */
    details?: Record<string, unknown>;
  };
}

/** An error the API answers with a given HTTP status and code. */
export class ApiError extends HooksError {
  /** The code every ApiError carries (its `apiCode` is what the response shows). */
  static readonly errorCode = 'HOOKS_ERR_MOCK_API';
  /** HTTP status of the response. */
  readonly statusCode: number;
  /** The response's `error.code`. */
  readonly apiCode: string;

  constructor(
    statusCode: number,
    apiCode: string,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(ApiError.errorCode, message, options);
    this.statusCode = statusCode;
    this.apiCode = apiCode;
  }

  /** The error response body. */
  toBody(): ErrorBody {
    return errorBody(this.apiCode, this.message, this.details);
  }
}

/** Builds an error response body. */
export function errorBody(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** 404 for an id that names nothing. */
export function notFound(resource: string, id: string | number): ApiError {
  return new ApiError(404, 'not_found', `${resource} ${id} not found`, { details: { resource, id } });
}

/** 422 for a well-formed request whose content the API cannot accept. */
export function unprocessable(code: string, message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError(422, code, message, details === undefined ? {} : { details });
}

/** 401 with the reason; the route adds the `WWW-Authenticate` header. */
export function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message);
}
