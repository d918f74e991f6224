import { type Kysely, type Migration, type RawBuilder, type SqlBool, sql } from 'kysely';

/*
 * Migration 0003 makes each delivered event cost the database fewer index entries and no trigger:
 *
 * - The status index holds only rows that are not delivered. An outcome UPDATE changes the status, so it is
 *   never a HOT update and adds an entry to every full index; delivered is where nearly every row ends, and
 *   its entry served no query that the primary key (lists in id order) does not serve as well. Queries on
 *   pending, failed or skipped rows repeat the index condition (`statusIndexTerm`) so they still walk it.
 * - The idempotency key index holds only rows that have a key (the unique constraint indexed every NULL,
 *   on insert and again on each outcome UPDATE). `ON CONFLICT` names the same condition.
 * - `hooks_attempts` loses its foreign key to `hooks_events`: PostgreSQL ran a check query per attempt row.
 *   Attempt rows are only written by an outcome that just updated their event (same statement, row locked),
 *   and the only place events are deleted, `prune`, deletes their attempts in the same statement.
 * - `hooks_attempts`' primary key becomes (event_id, id), which is what listing an event's attempts and
 *   pruning walk; the separate (event_id, id) index and the key on id alone are gone (one index fewer).
 */

/** The status index's condition, written as queries repeat it. */
export const NOT_DELIVERED: RawBuilder<SqlBool> = sql<SqlBool>`status <> 'delivered'`;

/**
 * The status index's condition as an extra query term when `statuses` leave delivered out (so the query may
 * walk the partial index); undefined when they include it (the query reads rows in id order instead).
 */
export function statusIndexTerm(statuses: readonly string[]): RawBuilder<SqlBool> | undefined {
  return statuses.includes('delivered') ? undefined : NOT_DELIVERED;
}

/** `ON CONFLICT` target matching the partial unique index on idempotency keys. */
export const IDEMPOTENCY_CONFLICT = sql`(idempotency_key) where idempotency_key is not null`;

/** Migration 0003: partial status and idempotency indexes, no attempt foreign key, one attempt index fewer. */
export function createLeanWritesMigration(schema: string): Migration {
  const events = sql.table(`${schema}.hooks_events`);
  const attempts = sql.table(`${schema}.hooks_attempts`);
  const index = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table ${attempts} drop constraint if exists hooks_attempts_event_id_fkey`.execute(db);
      await sql`alter table ${attempts} drop constraint hooks_attempts_pkey`.execute(db);
      await sql`drop index ${index('hooks_attempts_event_idx')}`.execute(db);
      await sql`alter table ${attempts} add constraint hooks_attempts_pkey primary key (event_id, id)`.execute(
        db,
      );
      await sql`create unique index hooks_events_idempotency_key_idx on ${events} ${IDEMPOTENCY_CONFLICT}`.execute(
        db,
      );
      await sql`alter table ${events} drop constraint hooks_events_idempotency_key_key`.execute(db);
      await sql`drop index ${index('hooks_events_status_idx')}`.execute(db);
      await sql`create index hooks_events_status_idx on ${events} (status, id) where ${NOT_DELIVERED}`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await sql`drop index ${index('hooks_events_status_idx')}`.execute(db);
      await sql`create index hooks_events_status_idx on ${events} (status, id)`.execute(db);
      await sql`alter table ${events} add constraint hooks_events_idempotency_key_key unique (idempotency_key)`.execute(
        db,
      );
      await sql`drop index ${index('hooks_events_idempotency_key_idx')}`.execute(db);
      await sql`alter table ${attempts} drop constraint hooks_attempts_pkey`.execute(db);
      await sql`alter table ${attempts} add constraint hooks_attempts_pkey primary key (id)`.execute(db);
      await sql`create index hooks_attempts_event_idx on ${attempts} (event_id, id)`.execute(db);
      // Attempts whose event was deleted by hand (no foreign key kept them out) would refuse the constraint.
      await sql`delete from ${attempts} as a where not exists (select 1 from ${events} as e where e.id = a.event_id)`.execute(
        db,
      );
      await sql`alter table ${attempts} add constraint hooks_attempts_event_id_fkey foreign key (event_id)
        references ${events} (id) on delete cascade`.execute(db);
    },
  };
}
