import { afterAll, afterEach, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { type Receiver, type ReceiverOptions, startReceiver } from './receiver.js';
import { killAllWorkers } from './worker-process.js';

/** What a test file that runs workers against PostgreSQL uses. */
export interface WorkerFixture {
  /** The file's own schema and a store on it. */
  readonly db: TestDatabase;
  /** The receiver the events are sent to. */
  readonly receiver: Receiver;
}

/**
 * Registers the hooks every worker test file needs: a fresh schema and a receiver before the tests,
 * every worker killed after each test, the receiver closed and the schema dropped at the end.
 *
 * @example
 * const fixture = useWorkerFixture('worker_crash', { secret });
 * it('...', async () => { await fixture.db.insertEvents(10, fixture.receiver.url); });
 */
export function useWorkerFixture(prefix: string, receiverOptions: ReceiverOptions): WorkerFixture {
  let db: TestDatabase | undefined;
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
    receiver = await startReceiver(receiverOptions);
  });
  afterEach(() => killAllWorkers());
  afterAll(async () => {
    await receiver?.close();
    await db?.dispose();
  });
  return {
    get db() {
      if (db === undefined) throw new Error('the test database is not ready (beforeAll failed?)');
      return db;
    },
    get receiver() {
      if (receiver === undefined) throw new Error('the receiver is not ready (beforeAll failed?)');
      return receiver;
    },
  };
}
