import { formatHelp, SHARED_SETTINGS } from '@hooks/app-shared';
import { HooksError } from '@hooks/core';
import { buildServer } from './build-server.js';
import { loadMockServerConfig, MOCK_SERVER_SETTINGS, type MockServerConfig } from './mock-settings.js';

function announce(config: MockServerConfig, address: string): void {
  const lines = [
    `hooks-mock-server listening on ${address}`,
    `  API:        ${address}/api/v2 (token: POST ${address}/oauth2/v1/token with HTTP Basic auth)`,
    `  dashboard:  ${address}/_mock/`,
    `  database:   ${config.database.display}`,
    `  webhooks:   ${config.webhookUrl === null ? 'no HOOKS_WEBHOOK_URL: events are recorded as skipped' : `${config.deliveryMode} delivery, ${config.signatureScheme} signatures`}`,
    `  worker:     ${config.embeddedWorker ? 'embedded (retries run in this process)' : 'off (run hooks-worker against the same database)'}`,
  ];
  if (config.webhookSecretGenerated) {
    lines.push(`  secret:     ${config.webhookSecret}  (generated; set HOOKS_WEBHOOK_SECRET to keep one)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { config, help } = loadMockServerConfig({ argv: process.argv.slice(2), env: process.env });
  if (help) {
    process.stdout.write(formatHelp('hooks-mock-server', { ...SHARED_SETTINGS, ...MOCK_SERVER_SETTINGS }));
    return;
  }
  const app = await buildServer(config);
  const address = await app.listen({ port: config.port, host: config.host });
  announce(config, address);
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = HooksError.isInstance(error)
    ? error.message
    : error instanceof Error
      ? error.message
      : String(error);
  process.stderr.write(`hooks-mock-server: ${message}\n`);
  process.exit(1);
});
