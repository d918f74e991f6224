import { z } from 'zod';

/** Every status a CampaignFlow campaign can have. */
export const CAMPAIGN_STATUSES = ['draft', 'pending', 'active', 'paused', 'completed', 'cancelled'] as const;

/** A CampaignFlow campaign status. */
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Every status a CampaignFlow finance application can have. */
export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'in_review',
  'approved',
  'declined',
  'withdrawn',
] as const;

/** A CampaignFlow finance application status. */
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Validates a campaign status. */
export const campaignStatusSchema = z.enum(CAMPAIGN_STATUSES);

/** Validates a finance application status. */
export const applicationStatusSchema = z.enum(APPLICATION_STATUSES);

/** True when `value` is a campaign status. */
export function isCampaignStatus(value: unknown): value is CampaignStatus {
  return campaignStatusSchema.safeParse(value).success;
}

/** True when `value` is a finance application status. */
export function isApplicationStatus(value: unknown): value is ApplicationStatus {
  return applicationStatusSchema.safeParse(value).success;
}
