import { createHmac } from 'node:crypto';

/** The Standard Webhooks secret every sender in the benchmark signs with (a fixed test value, no real secret). */
export const BENCH_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The event type of every benchmark event. */
export const BENCH_EVENT_TYPE = 'bench.event';

const KEY = Buffer.from(BENCH_SECRET.slice('whsec_'.length), 'base64');
const FILLER = 'x'.repeat(960);

/** The JSON body of one benchmark event: a sequence number and ~1 KB of text. */
export interface BenchPayload {
  /** Index of the event within its run (0 to N - 1). */
  seq: number;
  /** Always `bench`. */
  kind: 'bench';
  /** 960 characters of filler, so the serialised body is about 1 KB. */
  data: string;
}

/** The ~1 KB payload of event `seq` (`JSON.stringify` of it is 1,000 to 1,010 bytes). */
export function benchPayload(seq: number): BenchPayload {
  return { seq, kind: 'bench', data: FILLER };
}

/**
 * Standard Webhooks request headers for one delivery, signed with node:crypto directly: HMAC-SHA256 of
 * `id.timestamp.body`, base64, as `v1,<signature>`. The baselines use this so they sign like the engine does.
 */
export function signedHeaders(id: string, body: string, nowMs: number = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = createHmac('sha256', KEY).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'user-agent': 'hooks-bench',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
