import { ConflictError } from '@hooks/core';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStoreTransaction } from '../src/index.js';
import {
  DATABASE_URL,
  requirePostgres,
  skipPostgres,
  trackTestStores,
  withClient,
} from './postgres-test-database.js';

interface ShopDatabase {
  orders: { orderId: string; total: number };
}

const stores = trackTestStores();

async function ordersIn(schema: string): Promise<string[]> {
  return withClient(async (client) => {
    const { rows } = await client.query(`select order_id from "${schema}".orders order by order_id`);
    return rows.map((row) => row.order_id as string);
  });
}

describe.skipIf(skipPostgres)('transaction (transactional outbox) on PostgreSQL', () => {
  requirePostgres();

  it("commits the caller's domain write on tx.db and the event together, or neither", async () => {
    const store = stores.open();
    await store.init();
    await withClient((client) =>
      client.query(`create table "${store.schema}".orders (order_id text primary key, total int)`),
    );
    const orders = sql.table(`${store.schema}.orders`);
    const kept = await store.transaction(async (tx) => {
      await sql`insert into ${orders} (order_id, total) values ('o-1', 10)`.execute(tx.db);
      return (await tx.insert({ eventType: 'order.created', payload: { orderId: 'o-1' } })).event.id;
    });
    expect(await ordersIn(store.schema)).toEqual(['o-1']);
    expect((await store.get(kept))?.eventType).toBe('order.created');
    const failure = new Error('payment declined');
    await expect(
      store.transaction(async (tx) => {
        await sql`insert into ${orders} (order_id, total) values ('o-2', 20)`.execute(tx.db);
        await tx.insert({ eventType: 'order.created', payload: { orderId: 'o-2' } });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await ordersIn(store.schema)).toEqual(['o-1']);
    expect((await store.list()).items.map((event) => event.id)).toEqual([kept]);
  });

  it('a refused insert inside the work (duplicate id) leaves the transaction usable', async () => {
    const store = stores.open();
    await store.insert({ id: 'evt_taken', eventType: 'x', payload: 1 });
    const ids = await store.transaction(async (tx) => {
      const refused = await tx
        .insert({ id: 'evt_taken', eventType: 'x', payload: 2 })
        .catch((error: unknown) => error);
      expect(ConflictError.isInstance(refused)).toBe(true);
      const [a, b] = await tx.insertMany([
        { eventType: 'after', payload: 1 },
        { eventType: 'after', payload: 2 },
      ]);
      return [a!.event.id, b!.event.id];
    });
    expect((await store.countByStatus()).pending).toBe(3);
    expect((await store.get(ids[1]!))?.payload).toBe(2);
  });

  it("hands tx.db from the caller's own Kysely, plugins included, and wakes other instances at the commit", async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
    const db = new Kysely<ShopDatabase>({
      dialect: new PostgresDialect({ pool }),
      plugins: [new CamelCasePlugin()],
    });
    try {
      const schema = stores.schema();
      const store = stores.track(createPostgresStore({ db, schema, listen: false }));
      const peer = stores.open({ schema });
      await store.init();
      await withClient((client) =>
        client.query(`create table "${schema}".orders (order_id text primary key, total int)`),
      );
      let woken = 0;
      peer.subscribe(() => {
        woken += 1;
      });
      await peer.whenListening();
      await new Promise((resolve) => setImmediate(resolve));
      // The peer wakes once when LISTEN starts; the commit must wake it again.
      const before = woken;
      await store.transaction(async (tx: PostgresStoreTransaction<ShopDatabase>) => {
        await tx.db.withSchema(schema).insertInto('orders').values({ orderId: 'o-9', total: 9 }).execute();
        await tx.insert({ eventType: 'order.created', payload: { orderId: 'o-9' } });
      });
      expect(await ordersIn(schema)).toEqual(['o-9']);
      for (let tries = 0; tries < 250 && woken === before; tries++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(woken).toBeGreaterThan(before);
    } finally {
      await db.destroy();
    }
  });
});
