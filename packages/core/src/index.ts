export type { AttemptReport, DeliveryAttempt } from './delivery-attempt.js';
export {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  isDeliveryStatus,
  isTerminalStatus,
  TERMINAL_STATUSES,
  type TerminalStatus,
} from './delivery-status.js';
export {
  ConfigurationError,
  ConflictError,
  DeliveryError,
  HooksError,
  type HooksErrorCode,
  type HooksErrorOptions,
  InvalidInputError,
  NotFoundError,
  StoreUnavailableError,
} from './errors.js';
export { createEventId, createUlid, timeOfEventId } from './ids.js';
export { type JsonValue, toStrictJson, truncateUtf8, utf8Length } from './json.js';
export {
  type NormalisedReplay,
  normalisePrune,
  normaliseReplay,
  UNBOUNDED_REPLAY_MESSAGE,
} from './replay-input.js';
export { planReplay, type ReplayMatch, type ReplayPlan } from './replay-plan.js';
export {
  checkArray,
  checkClaimOptions,
  checkDueLimit,
  checkEventId,
  checkLeaseMs,
  checkNow,
  checkObject,
  checkWorkerId,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_REPLAYS,
  decodeCursor,
  encodeCursor,
  type NormalisedListQuery,
  normaliseListQuery,
  type PreparedEvent,
  type PreparedOutcome,
  prepareNewEvent,
  prepareNewEvents,
  prepareOutcome,
  STORE_LIMITS,
} from './store-input.js';
export { WakeListeners } from './wake-listeners.js';
export type { InsertLease, InsertResult, NewWebhookEvent, WebhookEvent } from './webhook-event.js';
export type {
  AttemptOutcome,
  ClaimByIdOptions,
  ClaimOptions,
  EventPage,
  ListDueOptions,
  ListEventsQuery,
  OutcomeResult,
  PruneOptions,
  PruneResult,
  RecordResult,
  ReplayCandidate,
  ReplayOptions,
  ReplayReport,
  ReplaySelector,
  StatusCounts,
  StoreTransaction,
  Unsubscribe,
  WebhookStore,
} from './webhook-store.js';
