export { type AppDispatcherInputs, appDispatcherOptions } from './app-dispatcher-options.js';
export { createLogger, type LoggerOptions, REDACTED_PATHS } from './create-logger.js';
export {
  type DatabaseLocation,
  DEFAULT_SQLITE_PATH,
  type PostgresLocation,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type SqliteLocation,
} from './database-location.js';
export {
  appEndpointHealth,
  DEFAULT_DISABLE_AFTER_FAILURES,
  DEFAULT_DISABLE_AFTER_MS,
  DISABLE_AFTER_FAILURES_SETTING,
  DISABLE_AFTER_SETTING,
  type EndpointHealthSettings,
} from './endpoint-health-settings.js';
export { createMetrics, type DiagnosticsSource, type HooksMetrics, type MetricsOptions } from './metrics.js';
export { type OpenedStore, type OpenStoreOptions, openStore } from './open-store.js';
export { formatHelp, type ParsedSettings, parseSettings, type SettingsSource } from './parse-settings.js';
export { terminatePostgresSessions } from './postgres-sessions.js';
export {
  booleanValue,
  choiceValue,
  defineSetting,
  type IntegerRange,
  integerValue,
  quoteValue,
  type SettingContext,
  type SettingSpec,
  type SettingsTable,
  type SettingValues,
  settingError,
} from './setting-spec.js';
export {
  type AppConfig,
  DEFAULT_RETRY_SCHEDULE,
  type DeliveryMode,
  LOG_LEVELS,
  type LoadedConfig,
  type LogLevel,
  loadConfig,
  type RetrySchedule,
  SHARED_SETTINGS,
  type SharedConfig,
} from './shared-settings.js';
export {
  ALLOW_LOOPBACK_SETTING,
  appSsrfGuard,
  SSRF_ALLOW_SETTING,
  type SsrfSettings,
  ssrfGuardNotice,
} from './ssrf-settings.js';
export {
  createWebhookScheme,
  generateWebhookSecret,
  SIGNATURE_SCHEME_NAMES,
  type SignatureSchemeName,
  WEBHOOK_ID_HEADER,
} from './webhook-signing.js';
