import {
  appDispatcherOptions,
  createLogger,
  createMetrics,
  loadConfig,
  type OpenedStore,
  openStore,
  settingError,
  ssrfGuardNotice,
} from '@hooks/app-shared';
import { createDispatcher } from '@hooks/engine';
import { instrumentClaims } from './claim-metrics.js';
import type { CommandIo } from './command-io.js';
import { describeError, EXIT_CODES } from './exit-codes.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { onShutdownSignals } from './shutdown-signals.js';
import { whenListening } from './when-listening.js';
import { resolveRequestTimeout, WORKER_SETTINGS } from './worker-settings.js';

/** Extra time after `--shutdown-timeout` for the engine to release leases and close before exit 1. */
const SHUTDOWN_GRACE_MS = 10_000;

/** How long `run` waits for the store's LISTEN connection before it says it started anyway. */
const LISTEN_WAIT_MS = 5000;

/** True when `promise` settles within `ms` (false on timeout, or when `stop` settles first). */
async function within(promise: Promise<unknown>, ms: number, stop: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => false,
      ),
      late,
      stop.then(() => false),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Hooks for tests and embedders: what `runCommand` calls instead of exiting the process. */
export interface RunHooks {
  /** Called on a second signal (default: `process.exit(130)`). */
  forceExit?: (code: number) => void;
}

/**
 * `hooks-worker run`: opens the store, starts the engine's dispatcher (its scheduler claims due rows,
 * wakes on store notifications and polls as a fallback), serves metrics when asked, and on the first
 * SIGTERM/SIGINT stops claiming and lets in-flight attempts finish within `--shutdown-timeout`.
 * Resolves with the exit code.
 *
 * @example
 * process.exitCode = await runCommand(['--database-url', 'postgres://localhost/hooks'], processIo());
 */
export async function runCommand(
  argv: readonly string[],
  io: CommandIo,
  hooks: RunHooks = {},
): Promise<number> {
  const forceExit = hooks.forceExit ?? ((code: number) => process.exit(code));
  const { config } = loadConfig({ argv, env: io.env, cwd: io.cwd, extra: WORKER_SETTINGS });
  if (config.webhookSecretGenerated && config.database.kind === 'postgres') {
    // Workers sharing a PostgreSQL store would each sign with a secret of their own: refuse instead.
    throw settingError(
      'HOOKS_WEBHOOK_SECRET',
      'is required with a PostgreSQL database: every worker on it must sign with the same secret (or pass --webhook-secret)',
    );
  }
  const requestTimeoutMs = resolveRequestTimeout(config.leaseMs, config.requestTimeoutMs, argv);
  // createLogger writes synchronously: nothing is lost at process.exit, and a closed stdout cannot block exit.
  const logger = createLogger({ level: config.logLevel, base: { app: 'hooks-worker' } });
  if (config.webhookSecretGenerated) {
    io.stderr.write(
      `hooks-worker: no HOOKS_WEBHOOK_SECRET given; signing with a generated ${config.signatureScheme} secret ` +
        `(shown once; receivers need the same one):\n  ${config.webhookSecret}\n`,
    );
  }

  let stopRequested: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stopRequested = resolve;
  });
  const offSignals = onShutdownSignals({
    graceful: (signal) => stopRequested(signal),
    forced: (signal) => {
      logger.warn({ signal }, 'second signal: exiting now (in-flight leases expire on their own)');
      forceExit(EXIT_CODES.forced);
    },
  });

  let opened: OpenedStore;
  try {
    opened = await openStore(config.database);
  } catch (error) {
    offSignals();
    logger.error({ database: config.database.display, error: describeError(error) }, 'cannot open the store');
    return EXIT_CODES.failure;
  }

  const metrics = createMetrics({ labels: { app: 'worker' } });
  const store = metrics.instrumentStore(
    instrumentClaims(opened.store, { registry: metrics.registry, logger }),
  );
  const dispatcher = createDispatcher(
    appDispatcherOptions(config, {
      store,
      logger,
      overrides: {
        concurrency: config.concurrency,
        leaseMs: config.leaseMs,
        timeouts: { totalMs: requestTimeoutMs, connectMs: Math.min(5000, requestTimeoutMs) },
        scheduler: { batchSize: config.batchSize, pollIntervalMs: config.pollIntervalMs },
        ...(config.workerId === undefined ? {} : { workerId: config.workerId }),
      },
    }),
  );
  metrics.observeDispatcher(dispatcher);
  metrics.observeStore(opened.store);

  let server: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    try {
      server = await startMetricsServer({
        port: config.metricsPort,
        host: config.metricsHost,
        metrics,
        store,
      });
      logger.info(
        { port: server.port, url: `http://${config.metricsHost}:${server.port}/metrics` },
        'metrics listening (/healthz, /readyz, /metrics)',
      );
    } catch (error) {
      offSignals();
      logger.error({ error: describeError(error), port: config.metricsPort }, 'cannot serve metrics');
      await dispatcher.close({ deadlineMs: 0 });
      await opened.close();
      return EXIT_CODES.failure;
    }
  }

  dispatcher.start();
  // "started" means wake-ups work: on PostgreSQL the LISTEN connection is up (or polling covers for it).
  if (!(await within(whenListening(opened.store), LISTEN_WAIT_MS, stopped))) {
    logger.warn({ waitedMs: LISTEN_WAIT_MS }, 'store notifications are not up yet; polling until they are');
  }
  const { workerId } = dispatcher.diagnostics();
  logger.info(
    {
      workerId,
      database: config.database.display,
      concurrency: config.concurrency,
      batchSize: config.batchSize,
      leaseMs: config.leaseMs,
      pollIntervalMs: config.pollIntervalMs,
      requestTimeoutMs,
      signatureScheme: config.signatureScheme,
    },
    'worker started',
  );
  const ssrf = ssrfGuardNotice(config);
  logger.info(ssrf.fields, ssrf.message);

  const signal = await stopped;
  const deadlineMs = config.shutdownTimeoutMs;
  logger.info(
    { signal, deadlineMs },
    'stopping: no new claims; in-flight attempts may finish until the deadline',
  );
  const backstop = setTimeout(() => {
    logger.error(
      { deadlineMs },
      'shutdown overran its deadline; exiting (unfinished leases expire on their own)',
    );
    forceExit(EXIT_CODES.failure);
  }, deadlineMs + SHUTDOWN_GRACE_MS);
  backstop.unref();
  try {
    await dispatcher.close({ deadlineMs });
    await server?.close();
    await opened.close();
  } finally {
    clearTimeout(backstop);
  }
  const totals = dispatcher.diagnostics().totals;
  logger.info(
    {
      workerId,
      delivered: totals.delivered,
      failed: totals.failed,
      retried: totals.retried,
      attempts: totals.attempts,
    },
    'worker stopped',
  );
  offSignals();
  return EXIT_CODES.ok;
}
