import { createMetrics } from '@hooks/app-shared';
import { describe, expect, it } from 'vitest';
import { startMetricsServer } from '../src/metrics-server.js';
import { useWorkerFixture } from './helpers/fixture.js';
import { applicationName, eventually, unavailable } from './helpers/postgres.js';
import { spawnWorker } from './helpers/worker-process.js';

const SECRET = 'metrics-test-secret';
const skipped = unavailable ? ` (skipped: ${unavailable})` : '';

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

describe('the metrics server', () => {
  it('answers /readyz with 503 while the store does not answer, and 404 elsewhere', async () => {
    let reachable = false;
    const store = { ping: async () => (reachable ? undefined : Promise.reject(new Error('down'))) };
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', metrics: createMetrics(), store });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
      expect(await get(`${base}/readyz`)).toMatchObject({ status: 503, body: 'store unreachable\n' });
      reachable = true;
      expect(await get(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
      expect((await get(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(unavailable !== undefined)(`hooks-worker run --metrics-port${skipped}`, () => {
  // Each event's first attempt gets a 503 (a retry), the second a 200.
  const fixture = useWorkerFixture('worker_metrics', {
    secret: SECRET,
    reply: (_id, seen) => (seen === 0 ? { status: 503 } : {}),
  });

  it('serves /healthz, /readyz and Prometheus /metrics with outcomes, latency, backlog, claims and lease losses', async () => {
    const { db, receiver } = fixture;
    const worker = spawnWorker([
      '--database-url',
      db.urlFor(applicationName('metrics')),
      '--webhook-secret',
      SECRET,
      '--metrics-port',
      '0',
      '--retry-schedule',
      '0,100ms',
    ]);
    const listening = await worker.waitForLog((line) => String(line.msg).startsWith('metrics listening'));
    const base = `http://127.0.0.1:${listening.port as number}`;
    expect(await get(`${base}/healthz`)).toMatchObject({ status: 200 });
    expect(await get(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });

    await db.insertEvents(20, receiver.url);
    await eventually(async () => (await db.store.countByStatus()).delivered === 20, 'the events delivered');

    const metrics = await get(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    /** The sample of `name` whose labels include `labels` (label order does not matter). */
    const value = (name: string, labels: Record<string, string> = {}): number => {
      for (const line of metrics.body.split('\n')) {
        const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
        if (match?.[1] !== name) continue;
        const found = Object.fromEntries(
          [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
        );
        if (Object.entries(labels).every(([key, text]) => found[key] === text)) return Number(match[3]);
      }
      return Number.NaN;
    };
    // Every event failed once with 503 (a retry), then was delivered.
    expect(value('hooks_attempt_outcomes_total', { outcome: 'delivered', app: 'worker' })).toBe(20);
    expect(value('hooks_attempt_outcomes_total', { outcome: 'retry' })).toBe(20);
    expect(value('hooks_attempt_duration_seconds_count', { outcome: 'delivered' })).toBe(20);
    expect(value('hooks_attempt_duration_seconds_bucket', { outcome: 'delivered', le: '+Inf' })).toBe(20);
    expect(value('hooks_events', { status: 'delivered' })).toBe(20);
    expect(value('hooks_events', { status: 'pending' })).toBe(0);
    expect(value('hooks_queue_depth')).toBe(0);
    expect(value('hooks_attempts_in_flight')).toBe(0);
    expect(value('hooks_claimed_events_total')).toBe(40);
    expect(value('hooks_claims_total', { result: 'leased' })).toBeGreaterThan(0);
    expect(value('hooks_dispatcher_events_total', { kind: 'delivered' })).toBe(20);
    expect(value('hooks_dispatcher_events_total', { kind: 'leaseLosses' })).toBe(0);
    expect(metrics.body).toContain('hooks_process_cpu_seconds_total');

    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  });
});
