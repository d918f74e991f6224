import { StoreUnavailableError } from '@hooks/core';
import pg from 'pg';
import { redactDatabaseUrl } from './database-location.js';

/**
 * Ends every PostgreSQL session whose `application_name` is `applicationName` (other than the caller's),
 * with `pg_terminate_backend`, and resolves with how many were ended. Give a process a name through its
 * database URL (`postgres://...?application_name=worker-a`) to target it: what an operator does to kick
 * a stuck client, and what the apps' tests do to take the database away from one process only.
 *
 * @example
 * const ended = await terminatePostgresSessions('postgres://postgres@127.0.0.1/test', 'worker-a');
 */
export async function terminatePostgresSessions(
  connectionString: string,
  applicationName: string,
): Promise<number> {
  const client = new pg.Client({ connectionString, application_name: 'hooks-session-terminator' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ ended: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [applicationName],
    );
    return result.rows.filter((row) => row.ended).length;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error))
      .split(connectionString)
      .join('***');
    throw new StoreUnavailableError(
      `cannot end sessions on ${redactDatabaseUrl(connectionString)}: ${reason}`,
      {
        details: { database: redactDatabaseUrl(connectionString) },
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
