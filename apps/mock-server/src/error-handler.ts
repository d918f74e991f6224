import {
  ConfigurationError,
  ConflictError,
  HooksError,
  InvalidInputError,
  NotFoundError,
  StoreUnavailableError,
} from '@hooks/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorBody, errorBody } from './api-error.js';

const CLIENT_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  431: 'headers_too_large',
};

interface Mapped {
  status: number;
  body: ErrorBody;
}

function validationIssues(error: FastifyError): Record<string, unknown> {
  const issues = (error.validation ?? []).map((issue) => {
    // An unknown or missing property is reported on its parent: name the property itself in the path.
    const params = issue.params as { additionalProperty?: unknown; missingProperty?: unknown } | undefined;
    const property = params?.additionalProperty ?? params?.missingProperty;
    const suffix = typeof property === 'string' ? `/${property}` : '';
    return {
      path: `${error.validationContext ?? 'request'}${issue.instancePath}${suffix}`,
      message: issue.message ?? 'is invalid',
    };
  });
  return { issues };
}

function fromHooksError(error: unknown): Mapped | undefined {
  const { details, message } = error as HooksError;
  if (ApiError.isInstance(error)) return { status: error.statusCode, body: error.toBody() };
  if (InvalidInputError.isInstance(error))
    return { status: 400, body: errorBody('invalid_input', message, details) };
  if (NotFoundError.isInstance(error)) return { status: 404, body: errorBody('not_found', message, details) };
  if (ConflictError.isInstance(error)) return { status: 409, body: errorBody('conflict', message, details) };
  if (ConfigurationError.isInstance(error)) {
    return { status: 409, body: errorBody('not_deliverable', message, details) };
  }
  if (StoreUnavailableError.isInstance(error)) {
    return {
      status: 503,
      body: errorBody('store_unavailable', 'the database is unavailable; try again later'),
    };
  }
  return undefined;
}

/** Maps any thrown value to the status and `{ error: { code, message, details? } }` body the API answers with. */
export function toErrorResponse(error: unknown): Mapped {
  if (HooksError.isInstance(error)) {
    const mapped = fromHooksError(error);
    if (mapped !== undefined) return mapped;
  }
  const fastifyError = error as FastifyError;
  if (Array.isArray(fastifyError?.validation)) {
    return {
      status: 400,
      body: errorBody('bad_request', fastifyError.message, validationIssues(fastifyError)),
    };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: errorBody(CLIENT_CODES[status] ?? `http_${status}`, fastifyError.message) };
  }
  return { status: 500, body: errorBody('internal_error', 'internal error: see the server log') };
}

/**
 * Installs the one error handler (every error becomes `{ error: { code, message, details? } }`) and the
 * not-found handler on `app`.
 *
 * @example
 * installErrorHandling(app);
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, status }, body.error.message);
    if (status === 401 && request.url.startsWith('/oauth2/'))
      reply.header('www-authenticate', 'Basic realm="mock"');
    else if (status === 401) reply.header('www-authenticate', 'Bearer realm="mock"');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? request.url;
    return reply.status(404).send(errorBody('not_found', `no route ${request.method} ${path.slice(0, 200)}`));
  });
}
