import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { ConfigurationError, ConflictError, InvalidInputError, StoreUnavailableError } from '@hooks/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, migratePostgresStore } from '../src/index.js';
import { createScrubber, secretsOf, toStoreError } from '../src/postgres-errors.js';
import {
  DATABASE_URL,
  requirePostgres,
  skipPostgres,
  trackTestStores,
  withClient,
} from './postgres-test-database.js';

const PASSWORD = 's3cr3t-Pa55w0rd';

/** A local port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function failureOf(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to reject');
}

/** Every way an error may be shown (message, stack, inspect with causes) must be free of `secret`. */
function expectNoSecret(error: Error, ...secrets: string[]): void {
  const shown = [error.message, String(error.stack), inspect(error, { depth: 10 }), JSON.stringify(error)];
  for (const secret of secrets) for (const text of shown) expect(text).not.toContain(secret);
}

const stores = trackTestStores();

describe('connection failures and secrets', () => {
  it('an unreachable server gives StoreUnavailableError with the cause, and never the password', async () => {
    const port = await closedPort();
    const store = createPostgresStore({
      connectionString: `postgres://hooks_user:${PASSWORD}@127.0.0.1:${port}/test`,
      schema: 'unreachable',
    });
    stores.track(store);
    const unsubscribe = store.subscribe(() => undefined);
    for (const action of [
      () => store.ping(),
      () => store.init(),
      () => store.insert({ eventType: 'x', payload: 1 }),
      () => store.claimDue({ workerId: 'w', limit: 1, leaseMs: 1000 }),
    ]) {
      const error = await failureOf(action);
      expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true);
      expect(error.message).toMatch(/unavailable/i);
      expect(error.cause).toBeDefined();
      expectNoSecret(error, PASSWORD);
    }
    unsubscribe();
    const migrateError = await failureOf(() =>
      migratePostgresStore({ connectionString: `postgres://u:${PASSWORD}@127.0.0.1:${port}/test` }),
    );
    expect(StoreUnavailableError.isInstance(migrateError)).toBe(true);
    expectNoSecret(migrateError, PASSWORD);
  });

  it('a URL-encoded password is kept out in both its raw and decoded forms', async () => {
    const port = await closedPort();
    const raw = 'p%40ss%2Fw0rd-xyz';
    const store = createPostgresStore({ connectionString: `postgres://u:${raw}@127.0.0.1:${port}/test` });
    stores.track(store);
    expectNoSecret(await failureOf(() => store.ping()), raw, 'p@ss/w0rd-xyz');
  });

  it('scrubs secrets from error texts and causes, including node URL errors that carry the input', () => {
    const url = `postgres://u:${PASSWORD}@[bad-host/test`;
    const secrets = secretsOf(url);
    expect(secrets).toContain(PASSWORD);
    const scrub = createScrubber(secrets);
    let parseError: unknown;
    try {
      new URL(url);
    } catch (error) {
      parseError = error;
    }
    expect(inspect(parseError)).toContain(PASSWORD);
    const mapped = toStoreError(parseError, scrub);
    expectNoSecret(mapped, PASSWORD);
  });

  it('maps pg errors to HooksErrors by SQLSTATE', () => {
    const scrub = createScrubber([]);
    const pgError = (code: string) => Object.assign(new Error(`failure ${code}`), { code });
    expect(StoreUnavailableError.isInstance(toStoreError(pgError('57P01'), scrub))).toBe(true);
    expect(StoreUnavailableError.isInstance(toStoreError(pgError('08006'), scrub))).toBe(true);
    expect(StoreUnavailableError.isInstance(toStoreError(pgError('ECONNRESET'), scrub))).toBe(true);
    expect(
      StoreUnavailableError.isInstance(toStoreError(new Error('Connection terminated unexpectedly'), scrub)),
    ).toBe(true);
    expect(ConfigurationError.isInstance(toStoreError(pgError('28P01'), scrub))).toBe(true);
    expect(ConflictError.isInstance(toStoreError(pgError('23505'), scrub))).toBe(true);
    expect(InvalidInputError.isInstance(toStoreError(pgError('22P05'), scrub))).toBe(true);
    expect(StoreUnavailableError.isInstance(toStoreError(pgError('XX000'), scrub))).toBe(true);
  });

  describe.skipIf(skipPostgres)('against the test database', () => {
    requirePostgres();

    it('a backend terminated mid-query (57P01) rejects with StoreUnavailableError; the store then recovers', async () => {
      const appName = `hooks_term_${process.pid}`;
      const store = stores.open({ appName });
      const { schema } = store;
      const { event } = await store.insert({ eventType: 'x', payload: 1 });
      const locker = new pg.Client({ connectionString: DATABASE_URL });
      locker.on('error', () => undefined);
      await locker.connect();
      try {
        await locker.query('begin');
        await locker.query(`select id from "${schema}".hooks_events where id = $1 for update`, [event.id]);
        // claimById waits for the row lock; terminate the waiting backend from outside.
        const pending = failureOf(() => store.claimById(event.id, { workerId: 'w', leaseMs: 1000 }));
        await withClient(async (client) => {
          for (;;) {
            const { rows } = await client.query(
              "select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
              [appName],
            );
            if (rows.length > 0) {
              await client.query('select pg_terminate_backend($1)', [rows[0].pid]);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        });
        const error = await pending;
        expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true);
        expect(error.message).toMatch(/terminat/i);
      } finally {
        await locker.query('rollback').catch(() => undefined);
        await locker.end();
      }
      // The pool may hand out the dying connection once more before its socket closes (pg releases it on the
      // FATAL message, before the end of the socket): such a call fails the same way, and a retry succeeds.
      let claimed: Awaited<ReturnType<typeof store.claimById>>;
      for (let attempt = 1; ; attempt++) {
        try {
          claimed = await store.claimById(event.id, { workerId: 'w', leaseMs: 1000 });
          break;
        } catch (error) {
          expect(StoreUnavailableError.isInstance(error), String(error)).toBe(true);
          expect(attempt).toBeLessThan(3);
        }
      }
      expect(claimed?.lockedBy).toBe('w');
    });

    it('close() ends the connections the store opened (pool and LISTEN client)', async () => {
      const appName = `hooks_close_${process.pid}`;
      const store = stores.open({ appName });
      store.subscribe(() => undefined);
      await store.whenListening();
      await store.insert({ eventType: 'x', payload: 1 });
      const count = () =>
        withClient(async (client) => {
          const { rows } = await client.query(
            'select count(*)::int as n from pg_stat_activity where application_name = $1',
            [appName],
          );
          return rows[0].n as number;
        });
      expect(await count()).toBeGreaterThanOrEqual(2);
      await store.close();
      for (let tries = 0; tries < 100 && (await count()) > 0; tries++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await count()).toBe(0);
      await expect(store.get(`evt_x`)).rejects.toMatchObject({ code: 'HOOKS_ERR_CLOSED' });
      expect(() => store.subscribe(() => undefined)).toThrow(/closed/);
    });
  });
});
