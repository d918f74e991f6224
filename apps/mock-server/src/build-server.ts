import formbody from '@fastify/formbody';
import {
  appDispatcherOptions,
  createLogger,
  createMetrics,
  type OpenStoreOptions,
  openStore,
  ssrfGuardNotice,
} from '@hooks/app-shared';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '@hooks/engine';
import { createCampaignflowCatalog } from '@hooks/payloads';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { migrateMockTables } from './domain/mock-migrations.js';
import type { MockDatabase } from './domain/mock-schema.js';
import { TOKEN_TTL_SECONDS } from './domain/oauth-tokens.js';
import { installErrorHandling } from './error-handler.js';
import type { MockServices } from './mock-services.js';
import type { MockServerConfig } from './mock-settings.js';
import { campaignRoutes } from './routes/campaign-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { endpointAdminRoutes } from './routes/endpoint-admin-routes.js';
import { financeApplicationRoutes } from './routes/finance-application-routes.js';
import { oauthRoutes, requireBearer } from './routes/oauth-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { webhookAdminRoutes } from './routes/webhook-admin-routes.js';

/** Options of `buildServer` beyond the configuration (mostly for tests). */
export interface BuildServerOptions {
  /** A pino logger (default: `createLogger` at the configured level); `false` logs nothing. */
  logger?: Logger | false;
  /** The server's notion of now (default `() => new Date()`). */
  clock?: () => Date;
  /** Options of the store (`openStore`). */
  store?: OpenStoreOptions;
  /** Extra engine options (timeouts, scheduler tuning, workerId, ...). */
  dispatcher?: Omit<DispatcherOptions, 'store' | 'logger'>;
  /** Lifetime of issued OAuth tokens in seconds (default 3600). */
  tokenTtlSeconds?: number;
}

function createFastify(logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // An empty JSON body counts as no body (clients often send the header on body-less POSTs).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    return json(request, body as string, done);
  });
  return app;
}

/**
 * Builds the mock server without listening: opens the store named by `config.database`, migrates the mock
 * tables, creates the dispatcher (started on ready when `config.embeddedWorker` is on) and registers every
 * route. Closing the instance stops the dispatcher and closes the database.
 *
 * @example
 * const { config } = loadMockServerConfig();
 * const app = await buildServer(config);
 * await app.listen({ port: config.port, host: config.host });
 */
export async function buildServer(
  config: MockServerConfig,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const logger =
    options.logger === false
      ? createLogger({ level: 'silent', pretty: false })
      : (options.logger ?? createLogger({ level: config.logLevel, base: { app: 'mock-server' } }));
  const clock = options.clock ?? (() => new Date());
  const opened = await openStore(config.database, options.store);
  let dispatcher: Dispatcher | undefined;
  try {
    const schema = config.database.kind === 'postgres' ? config.database.schema : undefined;
    await migrateMockTables(opened.db, config.database.kind, schema);
    const metrics = createMetrics({ labels: { app: 'mock-server' } });
    // With the embedded worker off, separate hooks-worker processes deliver: async events are only stored
    // (deferred, unleased) so any worker can take them at once; sync mode still delivers inside the request.
    const deferred = !config.embeddedWorker && config.deliveryMode === 'async';
    const engine = createDispatcher(
      appDispatcherOptions(config, {
        store: metrics.instrumentStore(opened.store),
        logger: logger.child({ component: 'engine' }),
        overrides: { ...(deferred ? { deliveryMode: 'deferred' as const } : {}), ...options.dispatcher },
      }),
    );
    dispatcher = engine;
    const ssrf = ssrfGuardNotice(config);
    logger.info(ssrf.fields, ssrf.message);
    metrics.observeDispatcher(engine);
    metrics.observeStore(opened.store);
    const services: MockServices = {
      config,
      db: opened.db as Kysely<MockDatabase>,
      store: opened.store,
      dispatcher: engine,
      metrics,
      changes: {
        outbox: engine,
        catalog: createCampaignflowCatalog({ clock }),
        clock,
      },
      clock,
      tokenTtlSeconds: options.tokenTtlSeconds ?? TOKEN_TTL_SECONDS,
    };
    const app = createFastify(logger);
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    installErrorHandling(app);
    await app.register(oauthRoutes(services));
    await app.register(
      async (api) => {
        api.addHook('onRequest', requireBearer(services));
        await api.register(campaignRoutes(services));
        await api.register(financeApplicationRoutes(services));
      },
      { prefix: '/api/v2' },
    );
    await app.register(webhookAdminRoutes(services), { prefix: '/_mock' });
    await app.register(endpointAdminRoutes(services), { prefix: '/_mock' });
    await app.register(opsRoutes(services));
    await app.register(dashboardRoutes());
    app.addHook('onReady', async () => {
      if (config.embeddedWorker) engine.start();
    });
    app.addHook('onClose', async () => {
      try {
        await engine.close();
      } finally {
        await opened.close();
      }
    });
    return app;
  } catch (error) {
    await dispatcher?.close().catch(() => undefined);
    await opened.close().catch(() => undefined);
    throw error;
  }
}
