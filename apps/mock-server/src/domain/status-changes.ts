import type { WebhookEvent } from '@hooks/core';
import type {
  ApplicationStatus,
  CampaignflowCatalog,
  CampaignInput,
  CampaignStatus,
  FinanceApplicationInput,
} from '@hooks/payloads';
import { ApiError, notFound } from '../api-error.js';
import { findCampaign, writeCampaignStatus } from './campaign-rows.js';
import { type EmittedEvent, emitInTransaction, type Outbox } from './emit-in-transaction.js';
import { findFinanceApplication, writeApplicationStatus } from './finance-application-rows.js';
import type { CampaignRow, FinanceApplicationRow } from './mock-schema.js';

/** What status changes need: the outbox, the event catalog and the clock. */
export interface StatusChangeDeps {
  /** Where events go (in the change's transaction). */
  readonly outbox: Outbox;
  /** Builds the CampaignFlow payloads. */
  readonly catalog: CampaignflowCatalog;
  /** The server's notion of now. */
  readonly clock: () => Date;
}

/** A campaign status change and the events it recorded. */
export interface CampaignChange {
  /** The campaign after the change. */
  campaign: CampaignRow;
  /** Recorded events (empty when the status was already the requested one). */
  events: WebhookEvent[];
}

/** A finance application status change, its campaign after any cascade, and the events recorded. */
export interface ApplicationChange {
  /** The application after the change. */
  application: FinanceApplicationRow;
  /** Its campaign after the change (moved by the cascade rules, or unchanged). */
  campaign: CampaignRow;
  /** Recorded events, in order: the finance event, then the campaign's if it moved. */
  events: WebhookEvent[];
}

/** A campaign row as the payload builders take it. */
export function campaignInput(row: CampaignRow): CampaignInput {
  return { id: row.id, name: row.name, status: row.status, updatedAt: row.updated_at };
}

/** A finance application row as the payload builders take it. */
export function applicationInput(row: FinanceApplicationRow): FinanceApplicationInput {
  return { id: row.id, campaignId: row.campaign_id, applicantName: row.applicant_name, status: row.status };
}

/**
 * The cascade: `approved` while the campaign is `pending` moves it to `active`; `declined` while it is
 * `pending` moves it back to `draft`; anything else leaves it alone (undefined).
 */
export function cascadeFor(
  application: ApplicationStatus,
  campaign: CampaignStatus,
): CampaignStatus | undefined {
  if (campaign !== 'pending') return undefined;
  if (application === 'approved') return 'active';
  if (application === 'declined') return 'draft';
  return undefined;
}

/**
 * Sets a campaign's status; a real change records `campaign_status_change` in the same transaction, the
 * same status records nothing. Throws a 404 `ApiError` for an unknown id.
 *
 * @example
 * const { campaign, events } = await setCampaignStatus(deps, 7, 'active');
 */
export async function setCampaignStatus(
  deps: StatusChangeDeps,
  id: number,
  status: CampaignStatus,
): Promise<CampaignChange> {
  const { value, events } = await emitInTransaction(deps.outbox, async (db) => {
    const before = await findCampaign(db, id);
    if (before === undefined) throw notFound('campaign', id);
    if (before.status === status) return { value: before, events: [] };
    const after = await writeCampaignStatus(db, id, status, deps.clock());
    return { value: after, events: [deps.catalog.campaignStatusChange(campaignInput(after), before.status)] };
  });
  return { campaign: value, events };
}

/**
 * Sets a finance application's status, applying the cascade to its campaign; a real change records
 * `finance_application_status_change` (and `campaign_status_change` when the campaign moved, with the
 * finance event's `campaign.previousStatus` null) in the same transaction. `allowedFrom` limits the
 * statuses the change may start from (409 otherwise). Throws a 404 `ApiError` for an unknown id.
 *
 * @example
 * const { application, campaign, events } = await setApplicationStatus(deps, 3, 'approved');
 */
export async function setApplicationStatus(
  deps: StatusChangeDeps,
  id: number,
  status: ApplicationStatus,
  allowedFrom?: readonly ApplicationStatus[],
): Promise<ApplicationChange> {
  const { value, events } = await emitInTransaction(deps.outbox, async (db) => {
    const before = await findFinanceApplication(db, id);
    if (before === undefined) throw notFound('finance application', id);
    const campaignBefore = await findCampaign(db, before.campaign_id);
    if (campaignBefore === undefined) throw notFound('campaign', before.campaign_id);
    if (before.status === status)
      return { value: { application: before, campaign: campaignBefore }, events: [] };
    if (allowedFrom !== undefined && !allowedFrom.includes(before.status)) {
      throw new ApiError(
        409,
        'invalid_state',
        `finance application ${id} is ${before.status}; it cannot become ${status}`,
        {
          details: { status: before.status, allowedFrom },
        },
      );
    }
    const now = deps.clock();
    const application = await writeApplicationStatus(db, before, status, now);
    const cascade = cascadeFor(status, campaignBefore.status);
    const campaign =
      cascade === undefined ? campaignBefore : await writeCampaignStatus(db, campaignBefore.id, cascade, now);
    const emitted: readonly EmittedEvent[] = deps.catalog.financeApplicationEvents({
      campaignBefore: campaignInput(campaignBefore),
      campaignAfter: campaignInput(campaign),
      application: applicationInput(application),
      previousApplicationStatus: before.status,
    });
    return { value: { application, campaign }, events: emitted };
  });
  return { ...value, events };
}
