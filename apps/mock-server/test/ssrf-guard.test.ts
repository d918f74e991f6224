import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { type RunningServer, startServer, type TestDatabase } from './support/mock-harness.js';
import { type Receiver, startReceiver } from './support/receiver.js';

const LOOPBACK_LINE =
  'SSRF guard on; loopback allowed for local development (set HOOKS_ALLOW_LOOPBACK=false in production)';

/** A pino logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('the mock server and the SSRF guard [SQLite]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mock-ssrf-'));
  const database: TestDatabase = { kind: 'sqlite', url: `sqlite:${join(dir, 'mock.sqlite')}` };
  const servers: RunningServer[] = [];
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await receiver?.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(env: Record<string, string>) {
    receiver = await startReceiver();
    const log = capturingLogger();
    const server = await startServer(
      database,
      { HOOKS_WEBHOOK_URL: receiver.url, HOOKS_DELIVERY_MODE: 'sync', ...env },
      { logger: log.logger },
    );
    servers.push(server);
    return { server, log, receiver };
  }

  async function emitCampaignEvent(server: RunningServer): Promise<string> {
    const { body } = await server.api('POST', '/api/v2/campaigns', { name: 'Guarded' });
    const changed = await server.api('POST', `/api/v2/campaigns/${body.data.id}/set-status`, {
      status: 'active',
    });
    return changed.body.meta.events[0] as string;
  }

  it('allows loopback by default and says so in one log line at start', async () => {
    const { server, log, receiver } = await start({});
    const notices = log.lines.filter((line) => String(line.msg).startsWith('SSRF guard'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ msg: LOOPBACK_LINE, ssrfGuard: { allowLoopback: true, allow: [] } });
    const id = await emitCampaignEvent(server);
    const { body } = await server.call('GET', `/_mock/webhook-events/${id}`);
    expect(body.data.status).toBe('delivered');
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([id]);
  });

  it('with HOOKS_ALLOW_LOOPBACK=false, an event to 127.0.0.1 fails at once with the guard’s reason', async () => {
    const { server, log, receiver } = await start({ HOOKS_ALLOW_LOOPBACK: 'false' });
    expect(log.lines.find((line) => String(line.msg).startsWith('SSRF guard'))).toMatchObject({
      msg: 'SSRF guard on; loopback refused',
      ssrfGuard: { allowLoopback: false },
    });
    const id = await emitCampaignEvent(server);
    const event = await eventually(async () => {
      const { body } = await server.call('GET', `/_mock/webhook-events/${id}`);
      expect(body.data.status).toBe('failed');
      return body.data;
    });
    expect(event).toMatchObject({ attempts: 1, last_error: 'blocked by SSRF guard: 127.0.0.1 (loopback)' });
    expect(receiver.requests).toHaveLength(0);
    expect(
      log.lines.filter((line) => line.msg === 'delivery blocked by the SSRF guard; event failed'),
    ).toHaveLength(1);
  });

  it('HOOKS_SSRF_ALLOW lets a listed address through even with loopback refused', async () => {
    const { server, receiver } = await start({
      HOOKS_ALLOW_LOOPBACK: 'false',
      HOOKS_SSRF_ALLOW: '127.0.0.1',
    });
    const id = await emitCampaignEvent(server);
    const { body } = await server.call('GET', `/_mock/webhook-events/${id}`);
    expect(body.data.status).toBe('delivered');
    expect(receiver.requests).toHaveLength(1);
  });
});
