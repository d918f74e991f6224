import { createHash } from 'node:crypto';
import {
  ENDPOINT_STATES,
  type EndpointHealth,
  type EndpointState,
  type ReplayReport,
  redactEndpointUrl,
} from '@hooks/core';
import { DISABLED_SKIP_PREFIX, GONE_REASON } from '@hooks/engine';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../api-error.js';
import type { MockServices } from '../mock-services.js';
import { queryText, textSchema } from './route-input.js';

/** Skipped rows looked at (newest first) when an enable replays what the endpoint's disable skipped. */
const SKIPPED_SCAN = 1000;

const ENABLE_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: textSchema(16, 16),
    url: textSchema(4096, 1),
    replay: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

interface EnableBody {
  id?: string;
  url?: string;
  replay?: boolean;
  limit?: number;
}

/** A stable, opaque id of an endpoint (the browser never needs its raw URL, which may hold a credential). */
export function endpointId(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** One endpoint as the admin API shows it: the URL without user info, query or fragment. */
export function endpointView(endpoint: EndpointHealth): Record<string, unknown> {
  return {
    id: endpointId(endpoint.url),
    url: redactEndpointUrl(endpoint.url),
    state: endpoint.state,
    consecutive_failures: endpoint.consecutiveFailures,
    failing_since: iso(endpoint.failingSince),
    last_failure_at: iso(endpoint.lastFailureAt),
    last_success_at: iso(endpoint.lastSuccessAt),
    last_error: endpoint.lastError,
    disabled_at: iso(endpoint.disabledAt),
    disabled_reason: endpoint.disabledReason,
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

function statesOf(raw: string | undefined): EndpointState[] | undefined {
  if (raw === undefined) return undefined;
  const states = raw.split(',');
  for (const state of states) {
    if (!(ENDPOINT_STATES as readonly string[]).includes(state)) {
      throw new ApiError(400, 'bad_request', `state must list ${ENDPOINT_STATES.join(', ')}`, {
        details: { field: 'state' },
      });
    }
  }
  return states as EndpointState[];
}

/** Ids of the newest skipped events to `url` that its disable (or its 410) skipped, at most `limit`. */
async function skippedBy(services: MockServices, url: string, limit: number): Promise<string[]> {
  const page = await services.store.list({ status: 'skipped', order: 'desc', limit: SKIPPED_SCAN });
  return page.items
    .filter(
      (event) =>
        event.targetUrl === url &&
        (event.lastError === GONE_REASON || event.lastError?.startsWith(DISABLED_SKIP_PREFIX) === true),
    )
    .slice(0, limit)
    .map((event) => event.id);
}

/**
 * Endpoint health under `/_mock`: `GET /endpoints` lists the targets with a failure on record (`?state=`
 * filters), and `POST /endpoints/enable` re-enables one, named by its `id` (or its full `url`); with
 * `"replay": true` it also replays (bounded by `limit`, default 100) the events its disable skipped.
 *
 * @example
 * app.register(endpointAdminRoutes(services), { prefix: '/_mock' });
 */
export function endpointAdminRoutes(services: MockServices) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/endpoints', async (request: FastifyRequest) => {
      const state = statesOf(queryText(request.query as Record<string, unknown>, 'state'));
      const endpoints = await services.dispatcher.listEndpoints(state === undefined ? {} : { state });
      return { data: endpoints.map(endpointView) };
    });

    app.post('/endpoints/enable', { schema: { body: ENABLE_BODY } }, async (request: FastifyRequest) => {
      const body = (request.body ?? {}) as EnableBody;
      if ((body.id === undefined) === (body.url === undefined)) {
        throw new ApiError(400, 'bad_request', 'give either id (from GET /_mock/endpoints) or url', {
          details: { field: 'id' },
        });
      }
      const known = await services.dispatcher.listEndpoints();
      const found = known.find((endpoint) =>
        body.id === undefined ? endpoint.url === body.url : endpointId(endpoint.url) === body.id,
      );
      if (found === undefined) throw notFound('endpoint', body.id ?? redactEndpointUrl(body.url!));
      const enabled = await services.dispatcher.enableEndpoint(found.url);
      if (enabled === undefined) throw notFound('endpoint', endpointId(found.url));
      let replay: ReplayReport | null = null;
      if (body.replay === true) {
        const ids = await skippedBy(services, found.url, body.limit ?? 100);
        if (ids.length > 0) {
          replay = await services.dispatcher.replay({ ids, status: 'skipped' }, { limit: ids.length });
        }
      }
      return {
        data: {
          endpoint: endpointView(enabled),
          replayed: replay?.replayed ?? 0,
          replay_candidates: replay?.matched ?? 0,
        },
      };
    });
  };
}
