import type { WebhookStore } from '@hooks/core';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** Options of `instrumentClaims`. */
export interface ClaimInstrumentOptions {
  /** Where the counters are registered. */
  registry: Registry;
  /** Told once when claims start failing and once when they succeed again. */
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Metric name prefix (default `hooks_`). */
  prefix?: string;
}

/**
 * Wraps a store so every `claimDue` is counted: `hooks_claims_total{result}` (calls that leased rows, came
 * back empty, or failed) and `hooks_claimed_events_total` (rows leased). Logs when the store becomes
 * unreachable for claims and when it answers again.
 *
 * @example
 * const store = instrumentClaims(opened.store, { registry: metrics.registry, logger });
 */
export function instrumentClaims<S extends WebhookStore>(store: S, input: ClaimInstrumentOptions): S {
  const options = Object.freeze({ ...input });
  const prefix = options.prefix ?? 'hooks_';
  const claims = new Counter({
    name: `${prefix}claims_total`,
    help: 'claimDue calls by this worker, by result (leased, empty, error)',
    labelNames: ['result'],
    registers: [options.registry],
  });
  const claimed = new Counter({
    name: `${prefix}claimed_events_total`,
    help: 'Rows leased by this worker',
    registers: [options.registry],
  });
  let failingSince: number | undefined;
  const claimDue = async (claim: Parameters<WebhookStore['claimDue']>[0]) => {
    try {
      const rows = await store.claimDue(claim);
      claims.inc({ result: rows.length > 0 ? 'leased' : 'empty' });
      claimed.inc(rows.length);
      if (failingSince !== undefined) {
        options.logger.info({ unavailableMs: Date.now() - failingSince }, 'store reachable again; claiming');
        failingSince = undefined;
      }
      return rows;
    } catch (error) {
      claims.inc({ result: 'error' });
      if (failingSince === undefined) {
        failingSince = Date.now();
        options.logger.warn(
          { error: error instanceof Error ? error.message : String(error) },
          'store unavailable: claims fail; backing off until it answers',
        );
      }
      throw error;
    }
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'claimDue') return claimDue;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
