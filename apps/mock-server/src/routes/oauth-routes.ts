import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, unauthorized } from '../api-error.js';
import { issueToken, isTokenValid } from '../domain/oauth-tokens.js';
import type { MockServices } from '../mock-services.js';

/** The client id from `Authorization: Basic base64(id:secret)`, or undefined when there is none. */
export function basicClientId(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]{1,2048})\s*$/i.exec(header ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  return decoded.slice(0, Math.min(colon, 200));
}

/** The token from `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+([A-Za-z0-9._~+/=-]{1,4096})\s*$/i.exec(header ?? '')?.[1];
}

const TOKEN_BODY = {
  anyOf: [
    {
      type: 'object',
      properties: {
        grant_type: { type: 'string', maxLength: 200 },
        scope: { type: 'string', maxLength: 2000 },
      },
    },
    { type: 'null' },
  ],
} as const;

/**
 * `POST /oauth2/v1/token`: the client-credentials grant. Needs HTTP Basic auth (401 without) and
 * `grant_type=client_credentials` as a form or JSON field (400 without); credentials are not checked.
 *
 * @example
 * app.register(oauthRoutes(services));
 */
export function oauthRoutes(services: MockServices) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.post('/oauth2/v1/token', { schema: { body: TOKEN_BODY } }, async (request: FastifyRequest) => {
      const clientId = basicClientId(request.headers.authorization);
      if (clientId === undefined)
        throw unauthorized('the token endpoint needs HTTP Basic authentication (client id and secret)');
      const grantType = (request.body as { grant_type?: string } | null | undefined)?.grant_type;
      if (grantType === undefined || grantType === '') {
        throw new ApiError(400, 'invalid_request', 'grant_type is required (grant_type=client_credentials)', {
          details: { field: 'grant_type' },
        });
      }
      if (grantType !== 'client_credentials') {
        throw new ApiError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported', {
          details: { field: 'grant_type' },
        });
      }
      const token = await issueToken(services.db, clientId, services.tokenTtlSeconds, services.clock());
      return { access_token: token, token_type: 'Bearer', expires_in: services.tokenTtlSeconds };
    });
  };
}

/**
 * A preHandler that answers 401 unless the request carries a Bearer token some server on this database
 * issued and that has not expired.
 *
 * @example
 * app.addHook('preHandler', requireBearer(services));
 */
export function requireBearer(services: MockServices) {
  return async function check(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw unauthorized('missing Bearer token: get one from POST /oauth2/v1/token');
    if (!(await isTokenValid(services.db, token, services.clock()))) {
      throw unauthorized('the Bearer token is unknown or expired: get a new one from POST /oauth2/v1/token');
    }
  };
}
