import { APPLICATION_STATUSES, isApplicationStatus } from '@hooks/payloads';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, unprocessable } from '../api-error.js';
import { findCampaign } from '../domain/campaign-rows.js';
import {
  editFinanceApplication,
  findFinanceApplication,
  insertFinanceApplication,
  listFinanceApplications,
} from '../domain/finance-application-rows.js';
import { type ApplicationChange, setApplicationStatus } from '../domain/status-changes.js';
import type { MockServices } from '../mock-services.js';
import { applicationView, campaignView } from '../resource-views.js';
import {
  MAX_ROW_ID,
  nullableTextSchema,
  pageRequest,
  rowId,
  STATUS_BODY,
  textSchema,
} from './route-input.js';

const AMOUNT = { anyOf: [{ type: 'number', minimum: 0, maximum: 1e15 }, { type: 'null' }] };

const CREATE_BODY = {
  type: 'object',
  required: ['campaign_id', 'applicant_name'],
  additionalProperties: false,
  properties: {
    campaign_id: { type: 'integer', minimum: 1, maximum: MAX_ROW_ID },
    applicant_name: textSchema(200, 1),
    applicant_email: nullableTextSchema(320),
    requested_amount: AMOUNT,
  },
} as const;

const PATCH_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    applicant_name: textSchema(200, 1),
    applicant_email: nullableTextSchema(320),
    requested_amount: AMOUNT,
    status: {},
  },
} as const;

type IdParams = { Params: { id: string } };

interface CreateBody {
  campaign_id: number;
  applicant_name: string;
  applicant_email?: string | null;
  requested_amount?: number | null;
}

type PatchBody = Partial<Omit<CreateBody, 'campaign_id'>> & { status?: unknown };

function changeView(change: ApplicationChange): Record<string, unknown> {
  return {
    data: applicationView(change.application),
    meta: {
      changed: change.events.length > 0,
      events: change.events.map((event) => event.id),
      campaign: campaignView(change.campaign),
    },
  };
}

/**
 * The finance application endpoints under `/api/v2`: create (starts `draft`; 422 `campaign_not_found` when
 * the campaign does not exist), get, list, PATCH (not the status), submit (`draft` -> `submitted`) and
 * set-status (422 outside the enum), with the cascade to the campaign and its events.
 *
 * @example
 * app.register(financeApplicationRoutes(services), { prefix: '/api/v2' });
 */
export function financeApplicationRoutes(services: MockServices) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.post(
      '/finance-applications',
      { schema: { body: CREATE_BODY } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const body = request.body as CreateBody;
        if ((await findCampaign(services.db, body.campaign_id)) === undefined) {
          throw unprocessable('campaign_not_found', `campaign ${body.campaign_id} does not exist`, {
            field: 'campaign_id',
          });
        }
        const row = await insertFinanceApplication(
          services.db,
          {
            campaignId: body.campaign_id,
            applicantName: body.applicant_name,
            applicantEmail: body.applicant_email ?? null,
            requestedAmount: body.requested_amount ?? null,
          },
          services.clock(),
        );
        return reply.status(201).send({ data: applicationView(row) });
      },
    );

    app.get('/finance-applications', async (request: FastifyRequest) => {
      const page = await listFinanceApplications(
        services.db,
        pageRequest(request.query as Record<string, unknown>),
      );
      return { data: page.rows.map(applicationView), meta: page.meta };
    });

    app.get<IdParams>('/finance-applications/:id', async (request) => {
      const row = await findFinanceApplication(services.db, rowId(request.params.id, 'finance application'));
      if (row === undefined) throw notFound('finance application', request.params.id);
      return { data: applicationView(row) };
    });

    app.patch<IdParams>('/finance-applications/:id', { schema: { body: PATCH_BODY } }, async (request) => {
      const id = rowId(request.params.id, 'finance application');
      const body = (request.body ?? {}) as PatchBody;
      if (body.status !== undefined) {
        throw unprocessable(
          'status_not_editable',
          'status cannot be changed with PATCH: use POST /api/v2/finance-applications/:id/submit or /set-status',
          { field: 'status' },
        );
      }
      const row = await editFinanceApplication(
        services.db,
        id,
        {
          applicantName: body.applicant_name,
          applicantEmail: body.applicant_email,
          requestedAmount: body.requested_amount,
        },
        services.clock(),
      );
      if (row === undefined) throw notFound('finance application', request.params.id);
      return { data: applicationView(row) };
    });

    app.post<IdParams>('/finance-applications/:id/submit', async (request) => {
      const id = rowId(request.params.id, 'finance application');
      return changeView(await setApplicationStatus(services.changes, id, 'submitted', ['draft']));
    });

    app.post<IdParams>(
      '/finance-applications/:id/set-status',
      { schema: { body: STATUS_BODY } },
      async (request) => {
        const id = rowId(request.params.id, 'finance application');
        const { status } = request.body as { status: string };
        if (!isApplicationStatus(status)) {
          throw unprocessable('invalid_status', `status must be one of ${APPLICATION_STATUSES.join(', ')}`, {
            field: 'status',
            allowed: APPLICATION_STATUSES,
          });
        }
        return changeView(await setApplicationStatus(services.changes, id, status));
      },
    );
  };
}
