// The engine bench's receiver: a child process (bench/receiver-process.mjs) answering 200 on 127.0.0.1.
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** What the receiver has seen so far. */
export interface ReceiverCount {
  /** Requests answered. */
  count: number;
  /** The receiver process's CPU time (user + system), in microseconds. */
  cpuUs: number;
}

/** A running receiver. */
export interface BenchReceiver {
  /** Where to POST. */
  url: string;
  /** Asks the receiver for its request count and CPU time. */
  count(): Promise<ReceiverCount>;
  /** Stops it. */
  stop(): void;
}

/**
 * Starts the receiver process and waits until it listens.
 *
 * @example
 * const receiver = await startReceiver();
 * const { count, cpuUs } = await receiver.count();
 */
export async function startReceiver(): Promise<BenchReceiver> {
  const child: ChildProcess = fork(join(here, 'receiver-process.mjs'), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { type: string; port: number }) => resolve(message.port));
    child.once('error', reject);
  });
  const count = () =>
    new Promise<ReceiverCount>((resolve) => {
      const onMessage = (message: { type: string } & ReceiverCount) => {
        if (message.type !== 'count') return;
        child.off('message', onMessage);
        resolve({ count: message.count, cpuUs: message.cpuUs });
      };
      child.on('message', onMessage);
      child.send({ type: 'count' });
    });
  return { url: `http://127.0.0.1:${port}/hook`, count, stop: () => child.send({ type: 'exit' }) };
}
