import { CAMPAIGN_STATUSES, isCampaignStatus } from '@hooks/payloads';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, unprocessable } from '../api-error.js';
import { findCampaign, insertCampaign, listCampaigns } from '../domain/campaign-rows.js';
import { setCampaignStatus } from '../domain/status-changes.js';
import type { MockServices } from '../mock-services.js';
import { campaignView } from '../resource-views.js';
import { nullableTextSchema, pageRequest, rowId, STATUS_BODY, textSchema } from './route-input.js';

const CREATE_BODY = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: textSchema(200, 1), description: nullableTextSchema(2000) },
} as const;

type IdParams = { Params: { id: string } };

/**
 * The campaign endpoints under `/api/v2`: create (starts `draft`), get, list with pagination, and
 * set-status (422 outside the enum; a real change emits `campaign_status_change`, the same status nothing).
 *
 * @example
 * app.register(campaignRoutes(services), { prefix: '/api/v2' });
 */
export function campaignRoutes(services: MockServices) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.post(
      '/campaigns',
      { schema: { body: CREATE_BODY } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const body = request.body as { name: string; description?: string | null };
        const row = await insertCampaign(services.db, body, services.clock());
        return reply.status(201).send({ data: campaignView(row) });
      },
    );

    app.get('/campaigns', async (request: FastifyRequest) => {
      const page = await listCampaigns(services.db, pageRequest(request.query as Record<string, unknown>));
      return { data: page.rows.map(campaignView), meta: page.meta };
    });

    app.get<IdParams>('/campaigns/:id', async (request) => {
      const row = await findCampaign(services.db, rowId(request.params.id, 'campaign'));
      if (row === undefined) throw notFound('campaign', request.params.id);
      return { data: campaignView(row) };
    });

    app.post<IdParams>('/campaigns/:id/set-status', { schema: { body: STATUS_BODY } }, async (request) => {
      const id = rowId(request.params.id, 'campaign');
      const { status } = request.body as { status: string };
      if (!isCampaignStatus(status)) {
        throw unprocessable('invalid_status', `status must be one of ${CAMPAIGN_STATUSES.join(', ')}`, {
          field: 'status',
          allowed: CAMPAIGN_STATUSES,
        });
      }
      const { campaign, events } = await setCampaignStatus(services.changes, id, status);
      return {
        data: campaignView(campaign),
        meta: { changed: events.length > 0, events: events.map((e) => e.id) },
      };
    });
  };
}
