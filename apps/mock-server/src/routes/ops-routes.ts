import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockServices } from '../mock-services.js';

/**
 * Operations: `GET /healthz` (200 when the database answers, else 503), `GET /metrics` (Prometheus text) and
 * `GET /_mock/diagnostics` (the dispatcher's diagnostics, row counts and the non-secret configuration).
 *
 * @example
 * app.register(opsRoutes(services));
 */
export function opsRoutes(services: MockServices) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async (_request, reply: FastifyReply) => {
      try {
        await services.store.ping();
        return { status: 'ok', store: services.store.kind };
      } catch {
        return reply.status(503).send({ status: 'unavailable', store: services.store.kind });
      }
    });

    app.get('/metrics', async (_request, reply: FastifyReply) => {
      const text = await services.metrics.text();
      return reply.type(services.metrics.contentType).send(text);
    });

    app.get('/_mock/diagnostics', async () => {
      const { config, dispatcher, store } = services;
      return {
        data: {
          dispatcher: dispatcher.diagnostics(),
          store: { kind: store.kind, counts: await store.countByStatus() },
          config: {
            database: config.database.display,
            webhookUrlConfigured: config.webhookUrl !== null,
            deliveryMode: config.deliveryMode,
            maxAttempts: config.maxAttempts,
            retrySchedule: config.retrySchedule.text,
            signatureScheme: config.signatureScheme,
            embeddedWorker: config.embeddedWorker,
          },
        },
      };
    });
  };
}
