import {
  checkEventId,
  InvalidInputError,
  type ReplaySelector,
  type TerminalStatus,
  type WebhookEvent,
} from '@hooks/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../api-error.js';
import type { MockServices } from '../mock-services.js';
import { eventDetailView, eventSummaryView } from '../resource-views.js';
import { isoTime, queryInteger, queryText, textSchema } from './route-input.js';

/** The message an unbounded replay is refused with: how to bound it, in this API's JSON. */
export const UNBOUNDED_REPLAY_HTTP_MESSAGE =
  'Refusing an unbounded replay: give ids, type, targetUrl, or a time range (since/until), and a limit. ' +
  'Examples: {"ids":["evt_..."],"limit":10}; ' +
  '{"type":"campaign_status_change","status":"failed","limit":100}; ' +
  '{"targetUrl":"https://example.com/hooks","limit":100}; ' +
  '{"since":"2024-05-01T00:00:00Z","until":"2024-05-02T00:00:00Z","limit":100,"dryRun":true}';

const ONE_OR_MANY = (item: Record<string, unknown>, maxItems: number) => ({
  anyOf: [item, { type: 'array', items: item, minItems: 1, maxItems }],
});

const REPLAY_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ids: { type: 'array', items: textSchema(64, 1), minItems: 1, maxItems: 10_000 },
    type: ONE_OR_MANY(textSchema(200, 1), 100),
    targetUrl: ONE_OR_MANY(textSchema(4096, 1), 100),
    status: ONE_OR_MANY(textSchema(20, 1), 3),
    since: textSchema(40, 1),
    until: textSchema(40, 1),
    limit: { type: 'integer', minimum: 1, maximum: 10_000 },
    dryRun: { type: 'boolean' },
    maxReplays: { type: 'integer', minimum: 0, maximum: 1000 },
  },
} as const;

interface ReplayBody {
  ids?: string[];
  type?: string | string[];
  targetUrl?: string | string[];
  status?: string | string[];
  since?: string;
  until?: string;
  limit?: number;
  dryRun?: boolean;
  maxReplays?: number;
}

type IdParams = { Params: { id: string } };

/** Runs a store call; an input error about the store's `eventType` is re-thrown naming this API's `type`. */
async function namingApiFields<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!InvalidInputError.isInstance(error) || error.details?.field !== 'eventType') throw error;
    throw new ApiError(400, 'bad_request', error.message.replace(/^eventType\b/, 'type'), {
      details: { field: 'type' },
      cause: error,
    });
  }
}

function eventIdOf(raw: string): string {
  try {
    return checkEventId(raw);
  } catch {
    throw notFound('webhook event', raw.slice(0, 64));
  }
}

async function detail(services: MockServices, event: WebhookEvent): Promise<Record<string, unknown>> {
  return eventDetailView(event, await services.store.listAttempts(event.id));
}

async function redeliver(services: MockServices, id: string): Promise<WebhookEvent> {
  const event = await services.store.get(id);
  if (event === undefined) throw notFound('webhook event', id);
  if (event.targetUrl === null) {
    throw new ApiError(
      409,
      'no_target_url',
      `event ${id} was recorded without a webhook URL, so it cannot be delivered`,
    );
  }
  if (event.status !== 'pending') {
    const report = await services.dispatcher.replay(
      { ids: [id], status: [event.status as TerminalStatus] },
      { limit: 1 },
    );
    if (report.replayed === 0) {
      throw new ApiError(
        409,
        'replay_cap_reached',
        `event ${id} was replayed ${event.replayCount} times already`,
        {
          details: { replayCount: event.replayCount },
        },
      );
    }
  }
  return services.dispatcher.deliverNow(id);
}

function replaySelector(body: ReplayBody): ReplaySelector {
  const selector: { -readonly [K in keyof ReplaySelector]: ReplaySelector[K] } = {};
  if (body.ids !== undefined) selector.ids = body.ids;
  if (body.type !== undefined) selector.eventType = body.type;
  if (body.targetUrl !== undefined) selector.targetUrl = body.targetUrl;
  if (body.status !== undefined) selector.status = body.status as TerminalStatus | TerminalStatus[];
  if (body.since !== undefined) selector.since = isoTime(body.since, 'since');
  if (body.until !== undefined) selector.until = isoTime(body.until, 'until');
  return selector;
}

/**
 * The webhook admin API under `/_mock`: list events (filters and a cursor), one event with its attempts,
 * redeliver one event (a terminal one is replayed first), and a bounded replay (unbounded: 400 with examples).
 *
 * @example
 * app.register(webhookAdminRoutes(services), { prefix: '/_mock' });
 */
export function webhookAdminRoutes(services: MockServices) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/webhook-events', async (request: FastifyRequest) => {
      const query = request.query as Record<string, unknown>;
      const status = queryText(query, 'status');
      const type = queryText(query, 'type');
      const limit = queryInteger(query, 'limit', { min: 1, max: 1000, fallback: 50 });
      const page = await namingApiFields(() =>
        services.store.list({
          status: status === undefined ? undefined : (status.split(',') as WebhookEvent['status'][]),
          eventType: type === undefined ? undefined : type.split(','),
          limit,
          cursor: queryText(query, 'cursor') ?? null,
        }),
      );
      return { data: page.items.map(eventSummaryView), next_cursor: page.nextCursor };
    });

    app.get<IdParams>('/webhook-events/:id', async (request) => {
      const id = eventIdOf(request.params.id);
      const event = await services.store.get(id);
      if (event === undefined) throw notFound('webhook event', id);
      return { data: await detail(services, event) };
    });

    app.post<IdParams>('/webhook-events/:id/redeliver', async (request) => {
      const event = await redeliver(services, eventIdOf(request.params.id));
      return { data: await detail(services, event) };
    });

    app.post('/webhook-events/replay', { schema: { body: REPLAY_BODY } }, async (request: FastifyRequest) => {
      const body = (request.body ?? {}) as ReplayBody;
      const bounded = body.ids ?? body.type ?? body.targetUrl ?? body.since ?? body.until;
      if (bounded === undefined || body.limit === undefined) {
        throw new ApiError(400, 'unbounded_replay', UNBOUNDED_REPLAY_HTTP_MESSAGE);
      }
      const selector = replaySelector(body);
      const report = await namingApiFields(() =>
        services.dispatcher.replay(selector, {
          limit: body.limit as number,
          dryRun: body.dryRun === true,
          ...(body.maxReplays === undefined ? {} : { maxReplays: body.maxReplays }),
        }),
      );
      return {
        data: {
          ...report,
          candidates: report.candidates.map((candidate) => ({
            ...candidate,
            insertedAt: candidate.insertedAt.toISOString(),
          })),
        },
      };
    });
  };
}
