import { createRequire } from 'node:module';
import os from 'node:os';
import { createPgClient, openSqlite } from './sql-clients.js';

/** Facts about the machine and the software a run measured, for the report's "how to reproduce". */
export interface MachineFacts {
  /** Logical CPU cores. */
  cores: number;
  /** CPU model name. */
  cpuModel: string;
  /** Total memory, in GiB. */
  memoryGiB: number;
  /** `os.type() os.release() os.arch()`. */
  os: string;
  /** Node.js version. */
  node: string;
  /** PostgreSQL server version, or null when it was not reachable. */
  postgres: string | null;
  /** SQLite library version (better-sqlite3). */
  sqlite: string;
  /** pg-boss version. */
  pgBoss: string;
  /** undici version. */
  undici: string;
  /** Peak RSS of a case process that does nothing (Node.js + the tsx loader + the bench's imports), MiB. */
  idleCaseRssMiB?: number;
}

/** The 1, 5 and 15 minute load averages, two decimals. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg().map((value) => Math.round(value * 100) / 100);
  return [one!, five!, fifteen!];
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** The server version of the PostgreSQL at `databaseUrl` (`SHOW server_version`), or null if unreachable. */
export async function postgresVersion(databaseUrl: string): Promise<string | null> {
  const client = createPgClient({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Collects the machine facts of this run.
 *
 * @example
 * const facts = await machineFacts('postgres://postgres@127.0.0.1:5432/test');
 * console.log(`${facts.cores} cores, node ${facts.node}, PostgreSQL ${facts.postgres}`);
 */
export async function machineFacts(databaseUrl: string): Promise<MachineFacts> {
  const memory = openSqlite(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: await postgresVersion(databaseUrl),
    sqlite,
    pgBoss: packageVersion('pg-boss'),
    undici: packageVersion('undici'),
  };
}
