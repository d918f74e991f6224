export { GONE_REASON } from './attempt.js';
export type { QueuePolicy } from './bounded-queue.js';
export type { DeliveryTotals, DispatcherDiagnostics, RecentFailure } from './diagnostics.js';
export { createDispatcher } from './dispatcher.js';
export type { Dispatcher, DispatcherReplayOptions } from './dispatcher-api.js';
export type {
  DeliveryMode,
  DispatcherOptions,
  DropHandling,
  QueueOptions,
  SchedulerOptions,
} from './dispatcher-options.js';
export type { DispatcherTransaction } from './dispatcher-transaction.js';
export { DISABLED_SKIP_PREFIX, type EndpointDiagnostics } from './endpoint-health.js';
export {
  DEFAULT_ENDPOINT_REFRESH_MS,
  type EndpointHealthOptions,
} from './endpoint-health-options.js';
export { ClosedError, QueueFullError } from './engine-errors.js';
export { type EnqueueItem, type EnqueueOptions, NO_TARGET_REASON } from './enqueue-input.js';
export type { FailureRecord, FailureStoreOptions } from './failure-store.js';
export type { Timeouts } from './http-client.js';
export type { LatencySummary } from './latency-reservoir.js';
export { createRedactingLogger, type Logger, redact, secretVariants, silentLogger } from './logger.js';
export {
  createNotifier,
  type Notifier,
  type NotifierDiagnostics,
  type NotifierOptions,
  type NotifierReplayReport,
  type NotifyResult,
} from './notifier.js';
export { USER_AGENT } from './request-signing.js';
export { DEFAULT_RETRY_AFTER_BOUNDS, parseRetryAfter, type RetryAfterBounds } from './retry-after.js';
export {
  type ExponentialRetryPolicy,
  parseDuration,
  parseSchedule,
  type RetryDelayContext,
  type RetryPolicy,
  retryDelayMs,
  type ScheduleRetryPolicy,
  SVIX_SCHEDULE,
} from './retry-policy.js';
export type { StopOptions } from './scheduler.js';
export { checkSsrfGuard, type SsrfGuardOptions, type SsrfResolver } from './ssrf-guard.js';
export { createWorkerId } from './worker-id.js';
