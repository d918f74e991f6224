import PgBoss from 'pg-boss';
import { Agent, request } from 'undici';
import { type BenchPayload, benchPayload, epochMs, signedHeaders } from './bench-event.js';
import { ENQUEUE_BATCH } from './hooks-sender.js';
import type { DeliveryMeasurement, EnqueueMode } from './result-types.js';
import { round, summarize } from './stats.js';
import { postgresQuery } from './store-factory.js';

/** Options of `runPgBossSender`. */
export interface PgBossSenderOptions {
  /** Receiver URL. */
  url: string;
  /** Events to send and time. */
  events: number;
  /** Events sent (delivered and completed) first, untimed, so that the timed part runs warm. */
  warmup: number;
  /** Deliveries in flight at most (and connections). */
  concurrency: number;
  /** PostgreSQL URL. */
  databaseUrl: string;
  /** `send` one job per event (from `concurrency` producers) or `insert` batches of 100. */
  enqueue: EnqueueMode;
}

/** The smallest polling interval pg-boss 10 accepts (its `MIN_POLLING_INTERVAL_MS` is 500). */
export const PGBOSS_POLLING_INTERVAL_SECONDS = 0.5;

/** Jobs per `boss.work` fetch: at least our scheduler's claim size, and enough to fill every slot. */
export function pgBossBatchSize(concurrency: number): number {
  return Math.max(ENQUEUE_BATCH, concurrency);
}

/** Runs `task` over `items` with at most `limit` running at once (what p-map does for pg-boss users). */
async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let index = next++; index < items.length; index = next++) await task(items[index]!);
    }),
  );
}

let counter = 0;

/**
 * A webhook sender built the idiomatic pg-boss 10 way, doing the same work as @hooks: every event is a
 * pg-boss job (`boss.send`, or `boss.insert` batches), one worker (`boss.work` with `batchSize` =
 * max(100, concurrency), polling every 0.5 s, the minimum) fetches jobs and delivers each with undici
 * (at most `concurrency` at once, signed with node:crypto HMAC like the engine), and pg-boss completes
 * the batch when the handler resolves (fails it, for a retry, when a delivery was not answered 2xx).
 * The producer calls `boss.notifyWorker` after each write so that new jobs skip the poll wait, as the
 * engine's in-process hand-off does. The run ends when every job is delivered and completed.
 *
 * @example
 * const m = await runPgBossSender({ url, events: 5000, warmup: 1000, concurrency: 64, databaseUrl, enqueue: 'batch' });
 */
export async function runPgBossSender(options: PgBossSenderOptions): Promise<DeliveryMeasurement> {
  const { url, events, warmup, concurrency, databaseUrl } = options;
  const total = warmup + events;
  counter += 1;
  const schema = `pgboss_bench_${process.pid}_${counter}`;
  const queue = 'webhooks';
  const boss = new PgBoss({ connectionString: databaseUrl, schema, max: 10, schedule: false });
  const errors: unknown[] = [];
  boss.on('error', (error) => errors.push(error));
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  const enqueuedAt = new Float64Array(total);
  const deliveredAt = new Float64Array(total);
  let delivered = 0;
  try {
    await boss.start();
    await boss.createQueue(queue);
    const deliver = async (job: PgBoss.Job<BenchPayload>): Promise<void> => {
      const body = JSON.stringify(job.data);
      const response = await request(url, {
        dispatcher: agent,
        method: 'POST',
        headers: signedHeaders(job.id, body),
        body,
      });
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new Error(`receiver answered ${response.statusCode}`);
      }
      if (deliveredAt[job.data.seq] === 0) delivered += 1;
      deliveredAt[job.data.seq] = epochMs();
    };
    const workerId = await boss.work<BenchPayload>(
      queue,
      { batchSize: pgBossBatchSize(concurrency), pollingIntervalSeconds: PGBOSS_POLLING_INTERVAL_SECONDS },
      (jobs) => mapLimit(jobs, concurrency, deliver),
    );
    const produce = async (from: number, to: number): Promise<void> => {
      let next = from;
      if (options.enqueue === 'single') {
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            for (let seq = next++; seq < to; seq = next++) {
              enqueuedAt[seq] = epochMs();
              await boss.send(queue, benchPayload(seq));
              boss.notifyWorker(workerId);
            }
          }),
        );
        return;
      }
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          for (let first = next; first < to; first = next) {
            next = Math.min(to, first + ENQUEUE_BATCH);
            const jobs: PgBoss.JobInsert<BenchPayload>[] = [];
            const now = epochMs();
            for (let seq = first; seq < next; seq++) {
              enqueuedAt[seq] = now;
              jobs.push({ name: queue, data: benchPayload(seq) });
            }
            await boss.insert(jobs);
            boss.notifyWorker(workerId);
          }
        }),
      );
    };
    // Delivered, then completed: pg-boss completes each batch after its handler resolves.
    const settled = async (count: number): Promise<void> => {
      const deadline = Date.now() + 600_000;
      while (delivered < count || (await boss.getQueueSize(queue, { before: 'completed' })) > 0) {
        if (Date.now() > deadline || errors.length > 0) {
          throw new Error(`pg-boss sender stuck at ${delivered}/${count}: ${String(errors[0] ?? 'timeout')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, delivered < count ? 5 : 2));
      }
    };
    await produce(0, warmup);
    await settled(warmup);
    const started = epochMs();
    await produce(warmup, total);
    const enqueueEnded = epochMs();
    await settled(total);
    const ended = epochMs();
    const seconds = (ended - started) / 1000;
    return {
      events,
      seconds: round(seconds, 3),
      deliveriesPerSec: round(events / seconds),
      enqueuePerSec: round(events / ((enqueueEnded - started) / 1000)),
      latency: summarize(
        Array.from(deliveredAt.subarray(warmup), (at, index) => at - enqueuedAt[warmup + index]!),
      ),
    };
  } finally {
    await boss.stop({ graceful: false, close: true, wait: true, timeout: 1000 }).catch(() => undefined);
    await agent.close();
    await postgresQuery(databaseUrl, `drop schema if exists "${schema}" cascade`);
  }
}
