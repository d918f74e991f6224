// A delivering worker for the two-worker runs: opens its own store (its own connection pool) on the run's
// location, starts a dispatcher's scheduler, and reports every settled event (seq, epoch ms) to the parent.
// Protocol (IPC): receives { location, url, concurrency, pollIntervalMs }, answers { type: 'ready' } once its
// scheduler runs (and LISTENs, on Postgres); sends { type: 'settled', ... } batches; on { type: 'stop' }
// closes and answers { type: 'closed', usage }, then exits.
import type { WebhookEvent } from '@hooks/core';
import { createDispatcher } from '@hooks/engine';
import { BENCH_SECRET, epochMs } from './bench-event.js';
import { benchLogger } from './bench-logger.js';
import { incidentsOf, type WorkerMessage } from './hooks-sender.js';
import { startRssSampler } from './rss-sampler.js';
import { openStore, type StoreLocation, whenListening } from './store-factory.js';

interface WorkerStart {
  location: StoreLocation;
  url: string;
  concurrency: number;
  pollIntervalMs: number;
}

const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

async function main(start: WorkerStart): Promise<void> {
  const rss = startRssSampler();
  const cpu = process.cpuUsage();
  const store = openStore(start.location, 4);
  await store.init();
  let seqs: number[] = [];
  let at: number[] = [];
  let failed = 0;
  const flush = (): void => {
    if (seqs.length === 0 && failed === 0) return;
    send({ type: 'settled', seqs, at, failed });
    seqs = [];
    at = [];
    failed = 0;
  };
  const timer = setInterval(flush, 20);
  const dispatcher = createDispatcher({
    // The bench receiver listens on 127.0.0.1: let deliveries to loopback past the SSRF guard.
    ssrfGuard: { allowLoopback: true },
    store,
    targetUrl: start.url,
    secret: BENCH_SECRET,
    concurrency: start.concurrency,
    perOriginConcurrency: start.concurrency,
    scheduler: { pollIntervalMs: start.pollIntervalMs },
    logger: benchLogger(`${start.location.kind} worker ${process.pid}`),
    onSettled: (event: WebhookEvent) => {
      if (event.status !== 'delivered') failed += 1;
      else {
        seqs.push((event.payload as { seq: number }).seq);
        at.push(epochMs());
      }
      if (seqs.length >= 200) flush();
    },
  });
  dispatcher.start();
  await whenListening(store);
  send({ type: 'ready' });
  process.on('message', async (message: { type?: string }) => {
    if (message?.type !== 'stop') return;
    const incidents = incidentsOf(dispatcher);
    await dispatcher.close();
    await store.close();
    clearInterval(timer);
    flush();
    const used = process.cpuUsage(cpu);
    send({
      type: 'closed',
      usage: { peakRssBytes: rss.stop(), cpuMicros: used.user + used.system },
      incidents,
    });
    process.disconnect();
  });
}

process.once('message', (start: WorkerStart) => {
  main(start).catch((error: unknown) => {
    console.error('hooks worker failed:', error);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
