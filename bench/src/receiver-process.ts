import type { ChildProcess } from 'node:child_process';
import { exited, forkScript, nextMessage } from './child-process.js';

/** What the receiver counted since its last reset. */
export interface ReceiverStats {
  /** Requests answered. */
  requests: number;
  /** Distinct `webhook-id` values seen. */
  unique: number;
  /** Requests whose `webhook-id` had been seen before (at-least-once repeats). */
  duplicates: number;
  /** Requests without a `webhook-id` header. */
  missingId: number;
}

/** A running receiver child process. */
export interface Receiver {
  /** URL that answers 200 at once. */
  readonly url: string;
  /** URL that answers 200 after `ms` milliseconds. */
  slowUrl(ms: number): string;
  /** Zeroes the counters. */
  reset(): Promise<void>;
  /** The counters since the last reset. */
  stats(): Promise<ReceiverStats>;
  /** Stops the child process. */
  stop(): Promise<void>;
}

/**
 * Starts the receiver (`receiver-child.ts`) in its own process on 127.0.0.1 and an ephemeral port.
 *
 * @example
 * const receiver = await startReceiver();
 * await fetch(receiver.url, { method: 'POST', headers: { 'webhook-id': 'msg_1' }, body: '{}' });
 * console.log(await receiver.stats()); // { requests: 1, unique: 1, duplicates: 0, missingId: 0 }
 * await receiver.stop();
 */
export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = forkScript('./receiver-child.ts');
  const { port } = await nextMessage<{ type: 'ready'; port: number }>(child, 'ready');
  const origin = `http://127.0.0.1:${port}`;
  let queue: Promise<unknown> = Promise.resolve();
  // One request at a time over IPC, so each answer matches its question.
  const ask = <T extends { type: string }>(type: T['type']): Promise<T> => {
    const next = queue.then(() => {
      const answer = nextMessage<T>(child, type);
      child.send({ type });
      return answer;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    url: `${origin}/hook`,
    slowUrl: (ms) => `${origin}/slow/${ms}`,
    reset: async () => {
      await ask<{ type: 'reset' }>('reset');
    },
    stats: async () => (await ask<{ type: 'stats'; stats: ReceiverStats }>('stats')).stats,
    stop: async () => {
      if (child.connected) child.send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
