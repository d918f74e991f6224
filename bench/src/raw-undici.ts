import { Agent, request } from 'undici';
import { benchPayload, epochMs, signedHeaders } from './bench-event.js';
import type { DeliveryMeasurement } from './result-types.js';
import { round, summarize } from './stats.js';

/** Options of `runRawUndici`. */
export interface RawUndiciOptions {
  /** Receiver URL. */
  url: string;
  /** Requests to send and time. */
  events: number;
  /** Requests sent first, untimed, so that the timed part runs warm. */
  warmup: number;
  /** Concurrent request loops (and connections). */
  concurrency: number;
  /** Prefix of the `webhook-id`s, unique per run. */
  idPrefix: string;
}

/**
 * The ceiling: after `warmup` untimed requests, `concurrency` loops POSTing the same ~1 KB JSON bodies with undici over keep-alive
 * connections, each request signed with node:crypto HMAC (Standard Webhooks headers) like the engine's,
 * with no store, no queue and no retries.
 *
 * @example
 * const m = await runRawUndici({ url, events: 5000, warmup: 1000, concurrency: 64, idPrefix: 'msg_raw_1' });
 * console.log(m.deliveriesPerSec);
 */
export async function runRawUndici(options: RawUndiciOptions): Promise<DeliveryMeasurement> {
  const { url, events, warmup, concurrency, idPrefix } = options;
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies = new Float64Array(warmup + events);
  let failures = 0;
  const send = async (from: number, to: number): Promise<void> => {
    let next = from;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let seq = next++; seq < to; seq = next++) {
          const begin = epochMs();
          const body = JSON.stringify(benchPayload(seq));
          const response = await request(url, {
            dispatcher: agent,
            method: 'POST',
            headers: signedHeaders(`${idPrefix}_${seq}`, body),
            body,
          });
          await response.body.dump();
          if (response.statusCode !== 200) failures += 1;
          latencies[seq] = epochMs() - begin;
        }
      }),
    );
  };
  await send(0, warmup);
  const started = epochMs();
  await send(warmup, warmup + events);
  const seconds = (epochMs() - started) / 1000;
  await agent.close();
  if (failures > 0) throw new Error(`raw undici: ${failures} requests were not answered 200`);
  return {
    events,
    seconds: round(seconds, 3),
    deliveriesPerSec: round(events / seconds),
    enqueuePerSec: null,
    latency: summarize(Array.from(latencies.subarray(warmup))),
  };
}
