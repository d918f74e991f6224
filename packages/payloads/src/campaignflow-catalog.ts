import {
  type CampaignInput,
  type CampaignSnapshotInput,
  campaignStatusChangeEvent,
  type FinanceApplicationInput,
  financeApplicationStatusChangeEvent,
} from './campaignflow-events.js';
import {
  buildFinanceApplicationEvents,
  type CampaignflowEventTuple,
  type CampaignStatusChangeTuple,
  type FinanceApplicationEventsInput,
  type FinanceApplicationStatusChangeTuple,
} from './campaignflow-finance-events.js';
import type { ApplicationStatus, CampaignStatus } from './campaignflow-statuses.js';
import { type Catalog, type CatalogOptions, defineCatalog } from './catalog.js';
import type { BuildOptions } from './iso-timestamp.js';

/** The event definitions of the CampaignFlow catalog. */
export type CampaignflowDefinition =
  | typeof campaignStatusChangeEvent
  | typeof financeApplicationStatusChangeEvent;

/** The CampaignFlow catalog: the generic catalog API plus builders shaped like the CampaignFlow dispatcher's. */
export interface CampaignflowCatalog extends Catalog<CampaignflowDefinition> {
  /** `campaign_status_change`: `campaign` moved from `previousStatus` (`null` = first status) to `campaign.status`. */
  campaignStatusChange(
    campaign: CampaignInput,
    previousStatus: CampaignStatus | null,
    options?: BuildOptions,
  ): CampaignStatusChangeTuple;
  /**
   * `finance_application_status_change` with a snapshot of the linked campaign. Pass `campaign.status` as
   * `campaignPreviousStatus` when the change left the campaign alone, `null` when it changed it (or use
   * `financeApplicationEvents`, which decides for you).
   */
  financeApplicationStatusChange(
    campaign: CampaignSnapshotInput,
    application: FinanceApplicationInput,
    previousApplicationStatus: ApplicationStatus | null,
    campaignPreviousStatus: CampaignStatus | null,
    options?: BuildOptions,
  ): FinanceApplicationStatusChangeTuple;
  /** Every event one finance change emits, in order, with `campaign.previousStatus` set by the rule. */
  financeApplicationEvents(
    input: FinanceApplicationEventsInput,
    options?: BuildOptions,
  ): CampaignflowEventTuple[];
}

/**
 * Creates the CampaignFlow catalog; pass a `clock` for deterministic timestamps (`campaignflow` uses now).
 *
 * @example
 * const catalog = createCampaignflowCatalog({ clock: () => '2024-05-01T12:00:00.000Z' });
 * await dispatcher.enqueue(...catalog.campaignStatusChange(campaignRow, 'draft'));
 */
export function createCampaignflowCatalog(options: CatalogOptions = {}): CampaignflowCatalog {
  const catalog = defineCatalog([campaignStatusChangeEvent, financeApplicationStatusChangeEvent], options);
  const campaignStatusChange = (
    campaign: CampaignInput,
    previousStatus: CampaignStatus | null,
    buildOptions?: BuildOptions,
  ) => catalog.builders.campaign_status_change({ campaign, previousStatus }, buildOptions);
  const financeApplicationStatusChange = (
    campaign: CampaignSnapshotInput,
    application: FinanceApplicationInput,
    previousApplicationStatus: ApplicationStatus | null,
    campaignPreviousStatus: CampaignStatus | null,
    buildOptions?: BuildOptions,
  ) =>
    catalog.builders.finance_application_status_change(
      { campaign, application, previousApplicationStatus, campaignPreviousStatus },
      buildOptions,
    );
  const builders = { campaignStatusChange, financeApplicationStatusChange, timestamp: catalog.timestamp };
  return Object.freeze({
    ...catalog,
    campaignStatusChange,
    financeApplicationStatusChange,
    financeApplicationEvents: (input: FinanceApplicationEventsInput, buildOptions?: BuildOptions) =>
      buildFinanceApplicationEvents(builders, input, buildOptions),
  });
}

/** The CampaignFlow catalog with the system clock. */
export const campaignflow: CampaignflowCatalog = /* @__PURE__ */ createCampaignflowCatalog();
