import type { DispatcherDiagnostics } from '@hooks/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type OpenedStore, openStore, parseDatabaseUrl } from '../src/index.js';

const opened: OpenedStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function memoryStore(): Promise<OpenedStore> {
  const store = await openStore(
    parseDatabaseUrl('sqlite::memory:', { name: 'HOOKS_DATABASE_URL', cwd: '/' }),
  );
  opened.push(store);
  return store;
}

function diagnostics(depth: number, delivered: number): DispatcherDiagnostics {
  const zero = {
    count: 0,
    p50: 0,
    p90: 0,
    p99: 0,
    max: 0,
  } as unknown as DispatcherDiagnostics['latency']['attempt'];
  return {
    storeKind: 'sqlite',
    workerId: 'w',
    deliveryMode: 'async',
    queue: { depth, capacity: 1000, policy: 'drop_oldest', blocked: 0 },
    inFlight: 2,
    schedulerRunning: true,
    totals: {
      enqueued: 5,
      delivered,
      failed: 1,
      blocked: 1,
      skipped: 0,
      dropped: 0,
      droppedDeferred: 0,
      droppedSkipped: 0,
      retried: 3,
      attempts: 9,
      leaseLosses: 0,
      invalidInput: 0,
      storeErrors: 0,
    },
    latency: { enqueueToDelivered: zero, attempt: zero },
    recentFailures: [],
    endpoints: [],
  };
}

describe('createMetrics', () => {
  it('counts applied attempt outcomes and their durations through an instrumented store', async () => {
    const { store: raw } = await memoryStore();
    const metrics = createMetrics({ processMetrics: false, labels: { app: 'test' } });
    const store = metrics.instrumentStore(raw);
    expect(store.kind).toBe('sqlite');
    const { event } = await store.insert({ eventType: 'e', payload: {}, targetUrl: 'http://127.0.0.1:9/x' });
    const [claimed] = await store.claimDue({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    expect(claimed?.id).toBe(event.id);
    const startedAt = new Date();
    const outcome = {
      eventId: event.id,
      workerId: 'w',
      attemptNumber: 1,
      attempt: { startedAt, finishedAt: new Date(startedAt.getTime() + 250), responseStatus: 200 },
      result: { kind: 'delivered' as const },
    };
    expect((await store.recordOutcome(outcome)).applied).toBe(true);
    expect((await store.recordOutcomes([outcome]))[0]?.applied).toBe(false);
    metrics.observeStore(store);
    const text = await metrics.text();
    expect(text).toContain('hooks_attempt_outcomes_total{outcome="delivered",app="test"} 1');
    expect(text).toContain('hooks_attempt_duration_seconds_count{app="test",outcome="delivered"} 1');
    expect(text).toContain(
      'hooks_attempt_duration_seconds_bucket{le="0.25",app="test",outcome="delivered"} 1',
    );
    expect(text).toContain(
      'hooks_attempt_duration_seconds_bucket{le="0.1",app="test",outcome="delivered"} 0',
    );
    expect(text).toContain('hooks_events{status="delivered",app="test"} 1');
    expect(text).toContain('hooks_events{status="pending",app="test"} 0');
    expect(metrics.contentType).toContain('text/plain');
  });

  it('reads queue gauges and running totals from dispatchers at every scrape', async () => {
    const metrics = createMetrics({ processMetrics: false });
    let depth = 4;
    let delivered = 7;
    metrics.observeDispatcher({ diagnostics: () => diagnostics(depth, delivered) });
    let text = await metrics.text();
    expect(text).toContain('hooks_queue_depth 4');
    expect(text).toContain('hooks_queue_capacity 1000');
    expect(text).toContain('hooks_attempts_in_flight 2');
    expect(text).toContain('hooks_dispatcher_events_total{kind="delivered"} 7');
    expect(text).toContain('hooks_dispatcher_events_total{kind="retried"} 3');
    expect(text).toContain('hooks_dispatcher_events_total{kind="blocked"} 1');
    expect(text).toContain('hooks_endpoints{state="disabled"} 0');
    depth = 0;
    delivered = 9;
    text = await metrics.text();
    expect(text).toContain('hooks_queue_depth 0');
    expect(text).toContain('hooks_dispatcher_events_total{kind="delivered"} 9');
  });

  it('counts failing and disabled endpoints once each across dispatchers', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const endpoint = (url: string, state: 'failing' | 'disabled') => ({
      url,
      state,
      consecutiveFailures: 1,
      failingSince: null,
      disabledAt: null,
      disabledReason: null,
    });
    const endpoints = [endpoint('https://a.test/', 'disabled'), endpoint('https://b.test/', 'failing')];
    for (let n = 0; n < 2; n++)
      metrics.observeDispatcher({ diagnostics: () => ({ ...diagnostics(0, 0), endpoints }) });
    const text = await metrics.text();
    expect(text).toContain('hooks_endpoints{state="disabled"} 1');
    expect(text).toContain('hooks_endpoints{state="failing"} 1');
  });

  it('includes process metrics by default', async () => {
    expect(await createMetrics().text()).toContain('hooks_process_cpu_seconds_total');
  });
});
