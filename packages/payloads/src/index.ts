export {
  type CampaignflowCatalog,
  type CampaignflowDefinition,
  campaignflow,
  createCampaignflowCatalog,
} from './campaignflow-catalog.js';
export {
  type CampaignInput,
  type CampaignSnapshotInput,
  type CampaignStatusChangeInput,
  type CampaignStatusChangePayload,
  campaignStatusChangeEvent,
  type FinanceApplicationInput,
  type FinanceApplicationStatusChangeInput,
  type FinanceApplicationStatusChangePayload,
  financeApplicationStatusChangeEvent,
} from './campaignflow-events.js';
export type {
  CampaignBeforeInput,
  CampaignflowEventTuple,
  CampaignStatusChangeTuple,
  FinanceApplicationEventsInput,
  FinanceApplicationStatusChangeTuple,
} from './campaignflow-finance-events.js';
export {
  APPLICATION_STATUSES,
  type ApplicationStatus,
  CAMPAIGN_STATUSES,
  type CampaignStatus,
  isApplicationStatus,
  isCampaignStatus,
} from './campaignflow-statuses.js';
export {
  type Catalog,
  type CatalogBuilders,
  type CatalogOptions,
  type CatalogTuple,
  type DefinitionNamed,
  defineCatalog,
  type EventBuilder,
  type EventTuple,
} from './catalog.js';
export {
  type AnyEventDefinition,
  defineEvent,
  type EventDefinition,
  type EventInput,
  type EventMeta,
  type EventPayload,
} from './define-event.js';
export type { EntityId } from './field-schemas.js';
export type { BuildOptions, Clock } from './iso-timestamp.js';
export type { JsonObject, JsonValue } from './json-types.js';
export {
  type PayloadIssue,
  type PayloadValidationDetails,
  PayloadValidationError,
  type PayloadValidationErrorOptions,
} from './payload-validation-error.js';
export { createTasksCatalog, type TasksCatalog, type TasksDefinition, tasks } from './tasks-catalog.js';
export {
  CI_GATE_OUTCOMES,
  type CiGateOutcome,
  type PhaseWebhookContext,
  TASK_CONTEXT_FIELDS,
  type TaskContextFields,
  type TaskWebhookContext,
} from './tasks-context.js';
export {
  LOOP_EVENT_TYPES,
  type LoopEventInput,
  type LoopStartedPayload,
  type LoopStoppedPayload,
  loopStartedEvent,
  loopStoppedEvent,
  type PhaseEventInput,
  type PhaseEventPayload,
  phaseCompletedEvent,
  phaseStartedEvent,
  type QueueUnblockedPayload,
  queueUnblockedEvent,
  TASK_EVENT_TYPES,
  type TaskCompletedPayload,
  type TaskCreatedPayload,
  type TaskEventInput,
  type TaskEventType,
  type TaskFailedInput,
  type TaskFailedPayload,
  type TaskInput,
  type TaskStartedPayload,
  type TaskStatusChangedInput,
  type TaskStatusChangedPayload,
  taskCompletedEvent,
  taskCreatedEvent,
  taskFailedEvent,
  taskStartedEvent,
  taskStatusChangedEvent,
} from './tasks-events.js';
