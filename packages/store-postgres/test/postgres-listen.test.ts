import { describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { requirePostgres, skipPostgres, trackTestStores, withClient } from './postgres-test-database.js';

/** Bound on every wait for a listener call; a wake-up normally arrives within milliseconds. */
const WAIT_MS = 5_000;

const stores = trackTestStores();

function openPair(appName: string): { listener: PostgresStore; writer: PostgresStore } {
  const listener = stores.open({ appName });
  return { listener, writer: stores.open({ schema: listener.schema, listen: false }) };
}

/** Counts listener calls; `reach(n)` resolves once there were at least n, or fails after WAIT_MS. */
function counter(store: PostgresStore): { calls(): number; reach(total: number): Promise<void> } {
  let calls = 0;
  let wake: (() => void) | undefined;
  store.subscribe(() => {
    calls += 1;
    wake?.();
  });
  return {
    calls: () => calls,
    async reach(total) {
      const deadline = Date.now() + WAIT_MS;
      while (calls < total) {
        if (Date.now() > deadline) throw new Error(`listener reached ${calls} calls, expected ${total}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

describe.skipIf(skipPostgres)('LISTEN/NOTIFY wake-ups across instances', () => {
  requirePostgres();

  it('a listener in one instance is called after an insert, a release and a replay through another', async () => {
    const { listener, writer } = openPair(`hooks_listen_${process.pid}`);
    await Promise.all([listener.init(), writer.init()]);
    const calls = counter(listener);
    await listener.whenListening();
    await new Promise((resolve) => setImmediate(resolve));
    // LISTEN going live wakes the listener once: rows written before it were notified to no one.
    expect(calls.calls()).toBe(1);
    const { event } = await writer.insert({ eventType: 'wake', payload: 1 });
    await calls.reach(2);
    await writer.claimById(event.id, { workerId: 'w', leaseMs: 60_000 });
    const afterClaim = calls.calls();
    expect(await writer.releaseLeases([event.id], 'w')).toBe(1);
    await calls.reach(afterClaim + 1);
    const [claimed] = await writer.claimDue({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    const now = new Date();
    await writer.recordOutcome({
      eventId: event.id,
      workerId: 'w',
      attemptNumber: claimed!.attempts + 1,
      attempt: { startedAt: now, finishedAt: now, responseStatus: 500 },
      result: { kind: 'failed' },
    });
    const beforeReplay = calls.calls();
    expect((await writer.replay({ ids: [event.id] }, { limit: 1 })).replayed).toBe(1);
    await calls.reach(beforeReplay + 1);
  });

  it('with listen: false no LISTEN connection is opened, yet own writes still wake own listeners', async () => {
    const quiet = stores.open({ listen: false });
    const loud = stores.open({ schema: quiet.schema });
    const quietCalls = counter(quiet);
    const loudCalls = counter(loud);
    await Promise.all([quiet.whenListening(), loud.whenListening()]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(quietCalls.calls()).toBe(0);
    const loudBefore = loudCalls.calls();
    await quiet.insert({ eventType: 'own', payload: 1 });
    await quietCalls.reach(1);
    await loudCalls.reach(loudBefore + 1);
    const listening = await withClient(async (client) => {
      const { rows } = await client.query(
        'select count(*)::int as n from pg_stat_activity where query = $1',
        [`LISTEN "${quiet.channel}"`],
      );
      return rows[0].n as number;
    });
    expect(listening).toBe(1);
  });

  it('reconnects when the LISTEN connection is killed, wakes listeners, and keeps receiving', async () => {
    const appName = `hooks_reconnect_${process.pid}`;
    const { listener, writer } = openPair(appName);
    await Promise.all([listener.init(), writer.init()]);
    const calls = counter(listener);
    await listener.whenListening();
    await new Promise((resolve) => setImmediate(resolve));
    const initial = calls.calls();
    const killed = await withClient(async (client) => {
      const { rows } = await client.query(
        'select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1 and query = $2',
        [appName, `LISTEN "${listener.channel}"`],
      );
      return rows.length;
    });
    expect(killed).toBe(1);
    // After reconnecting the notifier wakes everyone, since notifications may have been missed meanwhile.
    await calls.reach(initial + 1);
    const before = calls.calls();
    await writer.insert({ eventType: 'after-reconnect', payload: 1 });
    await calls.reach(before + 1);
  });
});
