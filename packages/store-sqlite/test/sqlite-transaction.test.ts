import { join } from 'node:path';
import { InvalidInputError, type StoreTransaction, type WebhookStore } from '@hooks/core';
import Database from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/index.js';
import { tempDir } from './sqlite-harness.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
let filename: string;
let store: WebhookStore;

beforeEach(async () => {
  temp = await tempDir();
  filename = join(temp.dir, 'hooks.db');
  store = createSqliteStore({ filename });
  await store.init();
  await store.transaction!(async (tx) => {
    await sql`CREATE TABLE campaigns (id TEXT PRIMARY KEY, status TEXT NOT NULL)`.execute(db(tx));
  });
});

afterEach(async () => {
  await store.close();
  await temp.remove();
});

function db(tx: StoreTransaction): Kysely<unknown> {
  return tx.db as Kysely<unknown>;
}

function rawCounts(): { campaigns: number; events: number } {
  const raw = new Database(filename, { readonly: true });
  try {
    const count = (table: string) =>
      (raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { campaigns: count('campaigns'), events: count('hooks_events') };
  } finally {
    raw.close();
  }
}

describe('sqlite transaction (transactional outbox)', () => {
  it('commits the caller’s writes and the events together', async () => {
    const result = await store.transaction!(async (tx) => {
      await sql`INSERT INTO campaigns (id, status) VALUES ('c1', 'active')`.execute(db(tx));
      const { event } = await tx.insert({ eventType: 'campaign_status_change', payload: { id: 'c1' } });
      const many = await tx.insertMany([
        { eventType: 'a', payload: 1 },
        { eventType: 'b', payload: 2 },
      ]);
      return [event.id, ...many.map((item) => item.event.id)];
    });
    expect(result).toHaveLength(3);
    expect(rawCounts()).toEqual({ campaigns: 1, events: 3 });
    expect((await store.get(result[0]!))?.eventType).toBe('campaign_status_change');
  });

  it('rolls both back when the work throws, and rethrows the work’s own error', async () => {
    const failure = new Error('domain rule broken');
    await expect(
      store.transaction!(async (tx) => {
        await sql`INSERT INTO campaigns (id, status) VALUES ('c2', 'active')`.execute(db(tx));
        await tx.insert({ eventType: 'campaign_status_change', payload: { id: 'c2' } });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(rawCounts()).toEqual({ campaigns: 0, events: 0 });
  });

  it('rolls back when an event is invalid, so no domain change is kept without its event', async () => {
    const error = await store.transaction!(async (tx) => {
      await sql`INSERT INTO campaigns (id, status) VALUES ('c3', 'active')`.execute(db(tx));
      await tx.insert({ eventType: '', payload: { id: 'c3' } });
    }).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(rawCounts()).toEqual({ campaigns: 0, events: 0 });
  });

  it('makes the store’s other operations wait until the transaction ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    const running = store.transaction!(async (tx) => {
      await tx.insert({ eventType: 'inside', payload: 1 });
      await gate;
      order.push('commit');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const outside = store.insert({ eventType: 'outside', payload: 2 }).then(() => order.push('outside'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    release();
    await Promise.all([running, outside]);
    expect(order).toEqual(['commit', 'outside']);
    expect(rawCounts().events).toBe(2);
  });

  it('refuses inserts through a transaction that has ended', async () => {
    let leaked: StoreTransaction | undefined;
    await store.transaction!(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.insert({ eventType: 'late', payload: 1 })).rejects.toThrow(/transaction has ended/);
    expect(rawCounts().events).toBe(0);
  });

  it('tells subscribers only after the commit', async () => {
    let calls = 0;
    store.subscribe(() => {
      calls += 1;
    });
    await store.transaction!(async (tx) => {
      await tx.insert({ eventType: 'a', payload: 1 });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(calls).toBe(0);
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toBe(1);
  });
});
