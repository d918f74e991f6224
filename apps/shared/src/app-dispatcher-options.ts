import type { WebhookStore } from '@hooks/core';
import type { DispatcherOptions } from '@hooks/engine';
import type { Logger } from 'pino';
import { appEndpointHealth } from './endpoint-health-settings.js';
import type { SharedConfig } from './shared-settings.js';
import { appSsrfGuard } from './ssrf-settings.js';
import { createWebhookScheme } from './webhook-signing.js';

/** What the apps add to the configuration to build a dispatcher. */
export interface AppDispatcherInputs {
  /** The store (usually from `openStore`, possibly wrapped by `metrics.instrumentStore`). */
  store: WebhookStore;
  /** The app's logger; the engine redacts the secret from everything it logs. */
  logger?: Logger;
  /** Any other engine option (timeouts, queue, scheduler, workerId, ...), applied last. */
  overrides?: Omit<DispatcherOptions, 'store' | 'logger'>;
}

/**
 * The engine options both apps use, so the mock server and the worker send the same contract: target URL,
 * signing scheme (with a `webhook-id` header), delivery mode, retry schedule, attempts per event, the SSRF
 * guard (loopback allowed unless `HOOKS_ALLOW_LOOPBACK=false`, plus `HOOKS_SSRF_ALLOW`) and endpoint health
 * (`HOOKS_DISABLE_AFTER_FAILURES`, `HOOKS_DISABLE_AFTER`).
 *
 * @example
 * const dispatcher = createDispatcher(appDispatcherOptions(config, { store, logger }));
 */
export function appDispatcherOptions(config: SharedConfig, inputs: AppDispatcherInputs): DispatcherOptions {
  const options: DispatcherOptions = {
    store: inputs.store,
    targetUrl: config.webhookUrl,
    scheme: createWebhookScheme(config.signatureScheme, config.webhookSecret),
    deliveryMode: config.deliveryMode,
    retry: config.retrySchedule.policy,
    maxAttempts: config.maxAttempts,
    ssrfGuard: appSsrfGuard(config),
    endpointHealth: appEndpointHealth(config),
    ...inputs.overrides,
  };
  if (inputs.logger !== undefined) options.logger = inputs.logger;
  return options;
}
