import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DATABASE_URL,
  requirePostgres,
  skipPostgres,
  trackTestStores,
  withClient,
} from './postgres-test-database.js';

const WORKER = fileURLToPath(new URL('./fixtures/claim-worker.mjs', import.meta.url));
const PROCESSES = 3;
const ROWS = 600;

interface Worker {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  result: Promise<{ workerId: string; claimed: string[] }>;
}

/** Starts a claim-worker process; `ready` resolves when it has initialised, `result` with what it claimed. */
function startWorker(schema: string, workerId: string): Worker {
  const child = spawn(process.execPath, [WORKER, DATABASE_URL, schema, workerId], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const lines = createInterface({ input: child.stdout });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const result = new Promise<{ workerId: string; claimed: string[] }>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') onReady();
      else if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${workerId} exited with ${code}: ${stderr}`));
    });
  });
  return { child, ready: Promise.race([ready, result.then(() => undefined)]), result };
}

const stores = trackTestStores();

describe.skipIf(skipPostgres)('several processes claiming from one schema', () => {
  requirePostgres();

  it(`${PROCESSES} node processes (built dist) init one fresh schema together, then claim until empty: every row is claimed exactly once`, async () => {
    const store = stores.open({ listen: false });
    const { schema } = store;
    // The processes create and migrate the fresh schema at the same time: concurrent init across processes.
    const workers = Array.from({ length: PROCESSES }, (_, index) => startWorker(schema, `process-${index}`));
    await Promise.all(workers.map((worker) => worker.ready));
    for (let offset = 0; offset < ROWS; offset += 200) {
      await store.insertMany(
        Array.from({ length: 200 }, (_, index) => ({ eventType: 'mp', payload: { n: offset + index } })),
      );
    }
    for (const worker of workers) worker.child.stdin.write('go\n');
    const results = await Promise.all(workers.map((worker) => worker.result));

    const claimedBy = new Map<string, string[]>();
    for (const { workerId, claimed } of results) {
      for (const id of claimed) claimedBy.set(id, [...(claimedBy.get(id) ?? []), workerId]);
    }
    expect([...claimedBy].filter(([, by]) => by.length > 1)).toEqual([]);
    expect(claimedBy.size).toBe(ROWS);
    expect(await store.countByStatus()).toEqual({ pending: 0, delivered: ROWS, failed: 0, skipped: 0 });
    const perRow = await withClient(async (client) => {
      const { rows } = await client.query(
        `select count(*)::int as rows, min(n)::int as min, max(n)::int as max from
           (select count(a.id) as n from "${schema}".hooks_events e
            left join "${schema}".hooks_attempts a on a.event_id = e.id group by e.id) as counts`,
      );
      return rows[0];
    });
    expect(perRow).toEqual({ rows: ROWS, min: 1, max: 1 });
    for (const { workerId, claimed } of results) {
      const sample = claimed[0];
      if (sample !== undefined) expect((await store.listAttempts(sample))[0]?.workerId).toBe(workerId);
    }
  }, 120_000);
});
