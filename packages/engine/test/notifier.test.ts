import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureStore } from '../src/failure-store.js';
import { createNotifier, type Notifier, type NotifierOptions, silentLogger } from '../src/index.js';
import { ALLOW_LOOPBACK, captureLogger, SECRET, verify, waitUntil } from './helpers/fixtures.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FAST_RETRY = { kind: 'exponential', baseMs: 10, maxMs: 20, jitter: 'none' } as const;

async function setup(
  options: Partial<NotifierOptions> = {},
): Promise<{ receiver: Receiver; notifier: Notifier }> {
  const receiver = await startReceiver();
  const notifier = createNotifier({
    ssrfGuard: ALLOW_LOOPBACK,
    url: receiver.url,
    secret: SECRET,
    retry: FAST_RETRY,
    ...options,
  });
  cleanups.push(
    () => receiver.close(),
    () => notifier.close({ deadlineMs: 100 }),
  );
  return { receiver, notifier };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hooks-notifier-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('createNotifier', () => {
  it('notify queues a signed delivery and returns at once', async () => {
    const { receiver, notifier } = await setup();
    const result = await notifier.notify('task.completed', { taskId: 'T-1' });
    expect(result).toEqual({ accepted: true, id: expect.stringMatching(/^evt_/) });
    await receiver.waitForRequests(1);
    const request = receiver.requests[0]!;
    expect(verify(request.body, request.headers).id).toBe(result.accepted ? result.id : undefined);
    await waitUntil(() => notifier.diagnostics().totals.delivered === 1, 'delivered');
    expect(notifier.diagnostics().notifier).toMatchObject({
      accepted: 1,
      failureRecords: 0,
      persisted: false,
    });
  });

  it('never throws into the caller: invalid input is refused, logged and counted', async () => {
    const log = captureLogger();
    const { notifier } = await setup({ logger: log.logger });
    expect(await notifier.notify('', {})).toMatchObject({ accepted: false, reason: 'invalid_input' });
    expect(await notifier.notify('x', { n: 10n })).toMatchObject({
      accepted: false,
      reason: 'invalid_input',
    });
    expect(await notifier.notify('x', undefined)).toMatchObject({ accepted: false, reason: 'invalid_input' });
    const diagnostics = notifier.diagnostics();
    expect(diagnostics.notifier.refused.invalid_input).toBe(3);
    expect(diagnostics.totals.invalidInput).toBe(3);
    expect(log.lines.filter((line) => line.msg === 'enqueue refused: invalid input')).toHaveLength(3);
    await notifier.close();
    expect(await notifier.notify('x', {})).toMatchObject({ accepted: false, reason: 'closed' });
  });

  it('retries failed attempts on its policy and then delivers', async () => {
    const { receiver, notifier } = await setup();
    receiver.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    await notifier.notify('task.started', {});
    await waitUntil(() => notifier.diagnostics().totals.delivered === 1, 'delivered after two retries');
    expect(receiver.requests).toHaveLength(3);
    expect(notifier.diagnostics().totals.retried).toBe(2);
    expect(notifier.failures()).toEqual([]);
  });

  it('drops under a hung receiver without blocking and keeps each drop as a replayable failure', async () => {
    const { receiver, notifier } = await setup({
      queue: { capacity: 2 },
      concurrency: 1,
      timeouts: { totalMs: 60_000 },
    });
    receiver.setDefault({ kind: 'hang' });
    const results = [];
    for (let n = 0; n < 6; n++) results.push(await notifier.notify('tick', { n }));
    await receiver.waitForRequests(1);
    expect(receiver.hanging).toBe(1);
    expect(results.every((result) => result.accepted)).toBe(true);
    const diagnostics = notifier.diagnostics();
    expect(diagnostics.totals).toMatchObject({ dropped: 3, droppedSkipped: 3, droppedDeferred: 0 });
    expect(diagnostics.queue).toMatchObject({ depth: 2, capacity: 2, policy: 'drop_oldest' });
    const failures = notifier.failures();
    expect(failures.map((failure) => failure.error)).toEqual(
      Array(3).fill('dropped by queue policy drop_oldest (capacity 2)'),
    );

    receiver.release();
    await waitUntil(() => notifier.diagnostics().totals.delivered === 3, 'the kept three delivered');
    const report = await notifier.replay({ limit: 2 });
    expect(report).toMatchObject({ considered: 2, replayed: 2 });
    await waitUntil(() => notifier.failures().length === 1, 'replayed records leave the list once delivered');
    expect(notifier.failures()[0]!.id).toBe(failures[2]!.id);
    await expect(notifier.replay({ limit: 0 })).rejects.toThrow(/limit is required/);
  });

  it('drop_new refuses the newest and says so', async () => {
    const { receiver, notifier } = await setup({
      queue: { capacity: 1, policy: 'drop_new' },
      concurrency: 1,
    });
    receiver.setDefault({ kind: 'hang' });
    await notifier.notify('tick', { n: 1 });
    await notifier.notify('tick', { n: 2 });
    const refused = await notifier.notify('tick', { n: 3 });
    expect(refused).toMatchObject({
      accepted: false,
      reason: 'queue_full',
      error: 'dropped by queue policy drop_new (capacity 1)',
    });
    expect(notifier.diagnostics().notifier.refused.queue_full).toBe(1);
  });

  it('block waits up to its timeout, then reports queue_full', async () => {
    const { receiver, notifier } = await setup({
      queue: { capacity: 1, policy: 'block', blockTimeoutMs: 50 },
      concurrency: 1,
    });
    receiver.setDefault({ kind: 'hang' });
    await notifier.notify('tick', { n: 1 });
    await notifier.notify('tick', { n: 2 });
    const result = await notifier.notify('tick', { n: 3 });
    expect(result).toMatchObject({ accepted: false, reason: 'queue_full' });
    expect(result.accepted ? '' : result.error).toMatch(/queue full for 50 ms/);
  });

  it('records terminal failures (bounded, newest kept) and persists them atomically', async () => {
    const dir = tempDir();
    const path = join(dir, 'failures.json');
    const { receiver, notifier } = await setup({ maxAttempts: 2, failureStore: { maxRecords: 3, path } });
    receiver.setDefault({ kind: 'status', status: 500 });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const result = await notifier.notify('task.failed', { n });
      if (result.accepted) ids.push(result.id);
    }
    await waitUntil(() => notifier.diagnostics().totals.failed === 5, 'five failed');
    await notifier.close();
    const records = notifier.failures();
    expect(records).toHaveLength(3);
    expect(new Set(records.map((record) => record.id))).toEqual(new Set(ids.slice(2)));
    expect(records[0]).toMatchObject({
      eventType: 'task.failed',
      error: 'HTTP 500',
      attempts: 2,
      responseStatus: 500,
    });
    const file = JSON.parse(readFileSync(path, 'utf8')) as { version: number; records: unknown[] };
    expect(file.version).toBe(1);
    expect(file.records).toHaveLength(3);
    expect(readdirSync(dir)).toEqual(['failures.json']);

    const reopened = createNotifier({
      ssrfGuard: ALLOW_LOOPBACK,
      url: receiver.url,
      secret: SECRET,
      failureStore: { path },
    });
    cleanups.push(() => reopened.close());
    expect(reopened.failures().map((record) => record.id)).toEqual(records.map((record) => record.id));
    receiver.setDefault({ kind: 'status', status: 200 });
    await reopened.replay({ limit: 10, ids: [records[0]!.id] });
    await waitUntil(() => reopened.failures().length === 2, 'the replayed record left the list');
    await reopened.close();
    expect((JSON.parse(readFileSync(path, 'utf8')) as { records: unknown[] }).records).toHaveLength(2);
  });

  it('close never hangs with a hung receiver', async () => {
    const { receiver, notifier } = await setup();
    receiver.setDefault({ kind: 'hang' });
    await notifier.notify('tick', {});
    await receiver.waitForRequests(1);
    await notifier.close({ deadlineMs: 50 });
    expect(notifier.diagnostics().inFlight).toBe(0);
  });
});

describe('FailureStore', () => {
  const record = (id: string, error = 'HTTP 500') => ({
    id,
    eventType: 't',
    payload: {},
    error,
    attempts: 1,
    responseStatus: 500,
    at: new Date(0).toISOString(),
  });

  it('caps and redacts error texts and keeps the newest records', () => {
    const store = new FailureStore({ maxRecords: 2, maxErrorChars: 500 }, [SECRET], silentLogger);
    store.add(record('a', `${SECRET} ${'x'.repeat(2000)}`));
    expect(store.get('a')!.error.length).toBe(500);
    expect(store.get('a')!.error.startsWith('[redacted] xxx')).toBe(true);
    store.add(record('b'));
    store.add(record('c'));
    store.add(record('b', 'again'));
    expect(store.list().map((item) => [item.id, item.error])).toEqual([
      ['c', 'HTTP 500'],
      ['b', 'again'],
    ]);
    expect(store.remove('c')).toBe(true);
    expect(store.remove('c')).toBe(false);
  });

  it('starts empty (and says so) from a corrupt file, and refuses bad options', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, '{ not json');
    const log = captureLogger();
    const store = new FailureStore({ path }, [], log.logger);
    expect(store.size).toBe(0);
    expect(log.lines.map((line) => line.msg)).toContain(
      'the failure store file is not valid JSON; starting empty',
    );
    expect(() => new FailureStore({ maxRecords: 0 }, [], silentLogger)).toThrow(/failureStore.maxRecords/);
    expect(existsSync(join(dir, 'missing.json'))).toBe(false);
    expect(new FailureStore({ path: join(dir, 'missing.json') }, [], silentLogger).size).toBe(0);
  });
});
