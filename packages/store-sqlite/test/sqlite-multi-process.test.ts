import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/index.js';
import { tempDir } from './sqlite-harness.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./fixtures/claim-worker.mjs', import.meta.url));
const PROCESSES = 3;
const ROWS = 1500;

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  claims: Promise<string[][]>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
});

function startWorker(filename: string, workerId: string): Worker {
  const child = spawn(process.execPath, [WORKER_SCRIPT, filename, workerId], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const claims = new Promise<string[][]>((resolve, reject) => {
    const batches: string[][] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: string; claimed?: string[] };
      if (message.ready !== undefined) markReady();
      if (message.claimed !== undefined) batches.push(message.claimed);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(batches);
      else reject(new Error(`${workerId} exited with ${code}: ${stderr}`));
    });
  });
  return { child, ready: Promise.race([ready, claims.then(() => undefined)]), claims };
}

describe('several processes on one database file', () => {
  it(`${PROCESSES} processes claiming until empty take every row exactly once`, async () => {
    const temp = await tempDir();
    try {
      const filename = join(temp.dir, 'hooks.db');
      const store = createSqliteStore({ filename });
      const ids: string[] = [];
      for (let offset = 0; offset < ROWS; offset += 500) {
        const batch = Array.from({ length: 500 }, (_, index) => ({
          eventType: 'multi.process',
          payload: { index: offset + index },
          targetUrl: 'https://receiver.example.test/hooks',
        }));
        for (const result of await store.insertMany(batch)) ids.push(result.event.id);
      }
      const workers = Array.from({ length: PROCESSES }, (_, index) => startWorker(filename, `proc-${index}`));
      await Promise.all(workers.map((worker) => worker.ready));
      for (const worker of workers) worker.child.stdin?.end('go\n');
      const perWorker = await Promise.all(workers.map((worker) => worker.claims));

      const seen = new Map<string, number>();
      for (const batches of perWorker) {
        for (const id of batches.flat()) seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      expect([...seen].filter(([, times]) => times > 1)).toEqual([]);
      expect([...seen.keys()].sort()).toEqual([...ids].sort());
      // They really ran side by side: more than one process got rows.
      expect(perWorker.filter((batches) => batches.length > 0).length).toBeGreaterThan(1);
      expect(await store.countByStatus()).toEqual({ pending: 0, delivered: ROWS, failed: 0, skipped: 0 });
      const attempts = await Promise.all(ids.slice(0, 20).map((id) => store.listAttempts(id)));
      for (const list of attempts) expect(list).toHaveLength(1);
      await store.close();
    } finally {
      await temp.remove();
    }
  }, 120_000);
});
