// The engine bench's baselines and shared measuring helpers: the raw undici POST loop every ratio is taken
// against, and the signed floor (what any signed sender must do, with no store and no queue).
import { createEventId } from '@hooks/core';
import { createStandardWebhooksScheme } from '@hooks/signing';
import { Agent, request } from 'undici';

/** One measured run, before the bench names it. */
export interface Measured {
  concurrency: number;
  events: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of this (sending) process per event, in microseconds: robust to a noisy machine. */
  cpuUsPerEvent: number;
}

const FILLER = 'x'.repeat(960);

/** The ~1 KB payload of event `seq`. */
export function payload(seq: number): { seq: number; kind: string; data: string } {
  return { seq, kind: 'bench', data: FILLER };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 100) / 100;
}

/** Rates, latency percentiles (sorts `latencies`) and CPU per event of one run. */
export function measured(
  concurrency: number,
  events: number,
  seconds: number,
  cpu: NodeJS.CpuUsage,
  latencies: number[],
): Measured {
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    events,
    seconds: Math.round(seconds * 1000) / 1000,
    perSecond: Math.round(events / seconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUsPerEvent: Math.round((cpu.user + cpu.system) / events),
  };
}

/** Runs `concurrency` loops that together call `step(seq)` for seq 0 .. events-1. */
export async function inLoops(
  concurrency: number,
  events: number,
  step: (seq: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let seq = next++; seq < events; seq = next++) await step(seq);
    }),
  );
}

/** Times `events` steps from `concurrency` loops, each step's latency measured around it. */
async function timedLoops(
  concurrency: number,
  events: number,
  step: (seq: number) => Promise<void>,
): Promise<Measured> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await inLoops(concurrency, events, async (seq) => {
    const begin = performance.now();
    await step(seq);
    latencies.push(performance.now() - begin);
  });
  return measured(
    concurrency,
    events,
    (performance.now() - started) / 1000,
    process.cpuUsage(cpu),
    latencies,
  );
}

/** The baseline: `concurrency` loops POSTing the same ~1 KB body with undici, no signing, no store. */
export async function rawLoop(url: string, concurrency: number, events: number): Promise<Measured> {
  const agent = new Agent({ connections: concurrency });
  try {
    return await timedLoops(concurrency, events, async (seq) => {
      const response = await request(url, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload(seq)),
      });
      await response.body.dump();
    });
  } finally {
    await agent.close();
  }
}

/**
 * The signed floor: a fresh event id, a Standard Webhooks signature (same scheme as the engine) and the same
 * body, sent through undici's raw handler interface as the engine sends it, with no store, queue or retry
 * bookkeeping. The gap between it and an engine run is what the engine's own work costs.
 */
export async function signedFloorLoop(
  url: string,
  secret: string,
  concurrency: number,
  events: number,
): Promise<Measured> {
  const agent = new Agent({ connections: concurrency });
  const scheme = createStandardWebhooksScheme({ secret });
  const { origin, pathname } = new URL(url);
  try {
    return await timedLoops(
      concurrency,
      events,
      (seq) =>
        new Promise<void>((resolve, reject) => {
          const body = JSON.stringify(payload(seq));
          const headers = {
            'content-type': 'application/json',
            ...scheme.sign({ id: createEventId(), timestamp: new Date(), body }),
          };
          agent.dispatch(
            { origin, path: pathname, method: 'POST', headers, body },
            {
              onConnect: () => undefined,
              onHeaders: () => true,
              onData: () => true,
              onComplete: () => resolve(),
              onError: reject,
            },
          );
        }),
    );
  } finally {
    await agent.close();
  }
}
