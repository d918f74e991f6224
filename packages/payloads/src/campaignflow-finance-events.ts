import { z } from 'zod';
import type { CampaignflowCatalog } from './campaignflow-catalog.js';
import {
  type CampaignInput,
  type CampaignStatusChangePayload,
  campaignSchema,
  checkApplicationChange,
  type FinanceApplicationInput,
  type FinanceApplicationStatusChangePayload,
  financeApplicationSchema,
} from './campaignflow-events.js';
import {
  type ApplicationStatus,
  applicationStatusSchema,
  type CampaignStatus,
} from './campaignflow-statuses.js';
import type { EventTuple } from './catalog.js';
import { type EntityId, entityIdSchema, sameId } from './field-schemas.js';
import type { BuildOptions } from './iso-timestamp.js';
import { parseInput } from './issue-wording.js';

/** The campaign as it was before the finance change: only its id and status are read. */
export interface CampaignBeforeInput {
  /** The campaign's id (the same campaign as `campaignAfter`). */
  readonly id: EntityId;
  /** The campaign's status before the change. */
  readonly status: CampaignStatus;
  /** Any other column of the row; ignored. */
  readonly [field: string]: unknown;
}

/** Input of `financeApplicationEvents`: the application change and its campaign before and after. */
export interface FinanceApplicationEventsInput {
  /** The application's campaign before the finance change. */
  readonly campaignBefore: CampaignBeforeInput;
  /** The same campaign after the finance change (and any cascade it caused). */
  readonly campaignAfter: CampaignInput;
  /** The application after the change. */
  readonly application: FinanceApplicationInput;
  /** The application's status before the change; `null` for its first status. */
  readonly previousApplicationStatus: ApplicationStatus | null;
}

/** A `finance_application_status_change` tuple. */
export type FinanceApplicationStatusChangeTuple = EventTuple<
  'finance_application_status_change',
  FinanceApplicationStatusChangePayload
>;

/** A `campaign_status_change` tuple. */
export type CampaignStatusChangeTuple = EventTuple<'campaign_status_change', CampaignStatusChangePayload>;

/**
 * Any CampaignFlow tuple; spreads into `enqueue(...tuple)`. Narrow the payload by `payload.type`.
 */
export type CampaignflowEventTuple = EventTuple<
  'campaign_status_change' | 'finance_application_status_change',
  CampaignStatusChangePayload | FinanceApplicationStatusChangePayload
>;

/** The two builders `financeApplicationEvents` composes, and the clock they share. */
export type CampaignflowBuilders = Pick<
  CampaignflowCatalog,
  'campaignStatusChange' | 'financeApplicationStatusChange' | 'timestamp'
>;

const financeApplicationEventsSchema = z
  .strictObject({
    campaignBefore: z.looseObject({ id: entityIdSchema, status: campaignSchema.shape.status }),
    campaignAfter: campaignSchema,
    application: financeApplicationSchema,
    previousApplicationStatus: applicationStatusSchema.nullable(),
  })
  .superRefine((input, context) => {
    if (!sameId(input.campaignBefore.id, input.campaignAfter.id)) {
      const message = 'must equal campaignBefore.id (before and after must be the same campaign)';
      context.addIssue({
        code: 'custom',
        path: ['campaignAfter', 'id'],
        message,
        input: input.campaignAfter.id,
      });
    }
    checkApplicationChange(context, input, input.campaignAfter, 'campaignAfter');
  });

/**
 * The tuples to enqueue, in order: the finance event, then the `campaign_status_change` if there was one.
 * The events one finance application change emits, applying CampaignFlow's rule so callers cannot get it
 * wrong: if the campaign's status did not change, the finance event's `campaign.previousStatus` equals
 * `campaign.status`; if it did, that field is `null` and a `campaign_status_change` follows. Both share
 * one timestamp.
 */
export function buildFinanceApplicationEvents(
  builders: CampaignflowBuilders,
  input: FinanceApplicationEventsInput,
  options?: BuildOptions,
): CampaignflowEventTuple[] {
  parseInput(financeApplicationEventsSchema, input, 'financeApplicationEvents input');
  const { campaignBefore, campaignAfter, application, previousApplicationStatus } = input;
  const at = { timestamp: builders.timestamp(options) };
  const campaignChanged = campaignBefore.status !== campaignAfter.status;
  const finance = builders.financeApplicationStatusChange(
    campaignAfter,
    application,
    previousApplicationStatus,
    campaignChanged ? null : campaignAfter.status,
    at,
  );
  if (!campaignChanged) return [finance];
  return [finance, builders.campaignStatusChange(campaignAfter, campaignBefore.status, at)];
}
