import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Finds `public/dashboard.html` from the source tree (`src/routes`) or the build (`dist`). */
function dashboardPath(): string {
  for (const relative of ['../public/dashboard.html', '../../public/dashboard.html']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('public/dashboard.html is missing from the mock server package');
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * `GET /_mock/` (and `/_mock`): the dashboard, one static HTML page with inline CSS and JS that reads the
 * admin API. `GET /` points to it and to the API.
 *
 * @example
 * app.register(dashboardRoutes());
 */
export function dashboardRoutes() {
  const html = readFileSync(dashboardPath(), 'utf8');
  return async function register(app: FastifyInstance): Promise<void> {
    const serve = async (_request: unknown, reply: FastifyReply) =>
      reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(html);
    app.get('/_mock/', serve);
    app.get('/_mock', serve);
    app.get('/', async () => ({
      name: 'hooks-mock-server',
      api: '/api/v2',
      token: 'POST /oauth2/v1/token',
      dashboard: '/_mock/',
      webhookEvents: '/_mock/webhook-events',
      health: '/healthz',
      metrics: '/metrics',
    }));
  };
}
