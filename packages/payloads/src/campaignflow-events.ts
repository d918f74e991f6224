import { z } from 'zod';
import {
  type ApplicationStatus,
  applicationStatusSchema,
  type CampaignStatus,
  campaignStatusSchema,
} from './campaignflow-statuses.js';
import { defineEvent, type EventDefinition } from './define-event.js';
import { type EntityId, entityIdSchema, sameId } from './field-schemas.js';
import { isoTimestampSchema } from './iso-timestamp.js';

/** The campaign fields a finance event snapshots; a DB row with more fields is fine (extras are ignored). */
export interface CampaignSnapshotInput {
  /** The campaign's id. */
  readonly id: EntityId;
  /** The campaign's name. */
  readonly name: string;
  /** The campaign's current status. */
  readonly status: CampaignStatus;
  /** Any other column of the row; not copied into the payload. */
  readonly [field: string]: unknown;
}

/** A campaign as `campaign_status_change` needs it: the snapshot fields plus `updatedAt`. */
export interface CampaignInput extends CampaignSnapshotInput {
  /** When the campaign last changed (Date or ISO-8601 string); sent as an ISO string in UTC. */
  readonly updatedAt: Date | string;
}

/** A finance application; a DB row with more fields is fine (extras are ignored). */
export interface FinanceApplicationInput {
  /** The application's id. */
  readonly id: EntityId;
  /** The id of the campaign the application belongs to. */
  readonly campaignId: EntityId;
  /** The applicant's name. */
  readonly applicantName: string;
  /** The application's current status. */
  readonly status: ApplicationStatus;
  /** Any other column of the row; not copied into the payload. */
  readonly [field: string]: unknown;
}

/** Input of the `campaign_status_change` builder. */
export interface CampaignStatusChangeInput {
  /** The campaign after the change. */
  readonly campaign: CampaignInput;
  /** Its status before the change; `null` for its first status. Must differ from `campaign.status`. */
  readonly previousStatus: CampaignStatus | null;
}

/** Input of the `finance_application_status_change` builder. */
export interface FinanceApplicationStatusChangeInput {
  /** The application's campaign, after the change. */
  readonly campaign: CampaignSnapshotInput;
  /** The application after the change. */
  readonly application: FinanceApplicationInput;
  /** The application's status before the change; `null` for its first status. */
  readonly previousApplicationStatus: ApplicationStatus | null;
  /**
   * `campaign.status` when the finance change did NOT change the campaign; `null` when it DID (that
   * transition is reported by its own `campaign_status_change`). Any other value is refused.
   */
  readonly campaignPreviousStatus: CampaignStatus | null;
}

/** Body of a `campaign_status_change` webhook. */
export type CampaignStatusChangePayload = {
  type: 'campaign_status_change';
  timestamp: string;
  data: {
    campaign: {
      id: EntityId;
      name: string;
      status: CampaignStatus;
      previousStatus: CampaignStatus | null;
      updatedAt: string;
    };
  };
};

/** Body of a `finance_application_status_change` webhook, with a snapshot of the linked campaign. */
export type FinanceApplicationStatusChangePayload = {
  type: 'finance_application_status_change';
  timestamp: string;
  data: {
    financeApplication: {
      id: EntityId;
      campaignId: EntityId;
      applicantName: string;
      status: ApplicationStatus;
      previousStatus: ApplicationStatus | null;
    };
    campaign: {
      id: EntityId;
      name: string;
      status: CampaignStatus;
      previousStatus: CampaignStatus | null;
    };
  };
};

/** Validates a campaign snapshot (id, name, status); other fields pass through unread. */
export const campaignSnapshotSchema = z.looseObject({
  id: entityIdSchema,
  name: z.string(),
  status: campaignStatusSchema,
});

/** Validates a campaign for `campaign_status_change` (snapshot fields plus `updatedAt`). */
export const campaignSchema = campaignSnapshotSchema.extend({ updatedAt: isoTimestampSchema });

/** Validates a finance application (id, campaignId, applicantName, status). */
export const financeApplicationSchema = z.looseObject({
  id: entityIdSchema,
  campaignId: entityIdSchema,
  applicantName: z.string(),
  status: applicationStatusSchema,
});

/** Adds an issue at `path` when a status "change" keeps the same status. */
export function checkStatusChanged(
  context: z.core.$RefinementCtx,
  previous: string | null,
  current: string,
  path: string[],
  currentName: string,
): void {
  if (previous !== current) return;
  const message = `must differ from ${currentName} ("${current}"): a status change must change the status`;
  context.addIssue({ code: 'custom', path, message, input: previous });
}

/**
 * Adds issues when an application change is not one: its `campaignId` is not the id of the campaign it is
 * sent with (`campaignName` says which input that is), or its previous status equals its status.
 */
export function checkApplicationChange(
  context: z.core.$RefinementCtx,
  input: { application: { campaignId: EntityId; status: string }; previousApplicationStatus: string | null },
  campaign: { id: EntityId },
  campaignName: string,
): void {
  const { application } = input;
  if (!sameId(application.campaignId, campaign.id)) {
    const message = `must equal ${campaignName}.id (the campaign snapshot must be the application's campaign)`;
    context.addIssue({
      code: 'custom',
      path: ['application', 'campaignId'],
      message,
      input: application.campaignId,
    });
  }
  const path = ['previousApplicationStatus'];
  checkStatusChanged(
    context,
    input.previousApplicationStatus,
    application.status,
    path,
    'application.status',
  );
}

const campaignStatusChangeInputSchema = z
  .strictObject({ campaign: campaignSchema, previousStatus: campaignStatusSchema.nullable() })
  .superRefine((input, context) => {
    checkStatusChanged(
      context,
      input.previousStatus,
      input.campaign.status,
      ['previousStatus'],
      'campaign.status',
    );
  });

const financeApplicationStatusChangeInputSchema = z
  .strictObject({
    campaign: campaignSnapshotSchema,
    application: financeApplicationSchema,
    previousApplicationStatus: applicationStatusSchema.nullable(),
    campaignPreviousStatus: campaignStatusSchema.nullable(),
  })
  .superRefine((input, context) => {
    checkApplicationChange(context, input, input.campaign, 'campaign');
    const { campaignPreviousStatus, campaign } = input;
    if (campaignPreviousStatus !== null && campaignPreviousStatus !== campaign.status) {
      const message =
        `must be campaign.status ("${campaign.status}") when the finance change left the campaign as it was, ` +
        'or null when it changed the campaign (that change is reported by its own campaign_status_change)';
      context.addIssue({
        code: 'custom',
        path: ['campaignPreviousStatus'],
        message,
        input: campaignPreviousStatus,
      });
    }
  });

/** The `campaign_status_change` event: a campaign moved from `previousStatus` to `campaign.status`. */
export const campaignStatusChangeEvent: EventDefinition<
  'campaign_status_change',
  CampaignStatusChangeInput,
  CampaignStatusChangePayload
> = defineEvent('campaign_status_change', campaignStatusChangeInputSchema, (input, meta) => ({
  type: meta.eventType,
  timestamp: meta.timestamp,
  data: {
    campaign: {
      id: input.campaign.id,
      name: input.campaign.name,
      status: input.campaign.status,
      previousStatus: input.previousStatus,
      updatedAt: input.campaign.updatedAt,
    },
  },
}));

/** The `finance_application_status_change` event, with a snapshot of the linked campaign. */
export const financeApplicationStatusChangeEvent: EventDefinition<
  'finance_application_status_change',
  FinanceApplicationStatusChangeInput,
  FinanceApplicationStatusChangePayload
> = defineEvent(
  'finance_application_status_change',
  financeApplicationStatusChangeInputSchema,
  (input, meta) => ({
    type: meta.eventType,
    timestamp: meta.timestamp,
    data: {
      financeApplication: {
        id: input.application.id,
        campaignId: input.application.campaignId,
        applicantName: input.application.applicantName,
        status: input.application.status,
        previousStatus: input.previousApplicationStatus,
      },
      campaign: {
        id: input.campaign.id,
        name: input.campaign.name,
        status: input.campaign.status,
        previousStatus: input.campaignPreviousStatus,
      },
    },
  }),
);
