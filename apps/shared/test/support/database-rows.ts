import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** Where a test's database is: a SQLite file, or a PostgreSQL connection string and schema. */
export type RowsLocation =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string };

/** Every row of every table, by table name; rows as JSON text, sorted, so two dumps compare with toEqual. */
export type TableDump = Record<string, string[]>;

function sorted(rows: readonly unknown[]): string[] {
  return rows.map((row) => JSON.stringify(row)).sort();
}

/**
 * Reads every table of a database with raw SQL (not through any store): a SQLite file opened read-only, or
 * every table of one PostgreSQL schema. For "nothing half-written" and "no secret stored" checks.
 *
 * @example
 * const before = await dumpTables({ kind: 'sqlite', filename });
 */
export async function dumpTables(location: RowsLocation): Promise<TableDump> {
  const dump: TableDump = {};
  if (location.kind === 'sqlite') {
    const db = new BetterSqlite3(location.filename, { readonly: true, fileMustExist: true });
    try {
      const tables = db
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as { name: string }[];
      for (const { name } of tables) {
        dump[name] = sorted(db.prepare(`select * from "${name.replace(/"/g, '""')}"`).all());
      }
    } finally {
      db.close();
    }
    return dump;
  }
  const client = new pg.Client({ connectionString: location.connectionString });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'",
      [location.schema],
    );
    for (const { table_name: name } of tables) {
      const quoted = `"${location.schema.replace(/"/g, '""')}"."${name.replace(/"/g, '""')}"`;
      dump[name] = sorted((await client.query(`select * from ${quoted}`)).rows);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return dump;
}
