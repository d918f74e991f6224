import { isAbsolute, resolve } from 'node:path';
import { type SettingContext, settingError } from './setting-spec.js';

/** A SQLite database file (or `:memory:`). */
export interface SqliteLocation {
  /** Discriminant. */
  readonly kind: 'sqlite';
  /** Absolute path of the file, or `:memory:`. */
  readonly filename: string;
  /** What logs and messages show. */
  readonly display: string;
  /** The setting it was read from (`HOOKS_DATABASE_URL` or `--database-url`), for messages. */
  readonly setting: string;
  /** Serialises as `display`, so a logged configuration never shows more than that. */
  toJSON(): string;
}

/** A PostgreSQL database and the schema the apps' tables live in. */
export interface PostgresLocation {
  /** Discriminant. */
  readonly kind: 'postgres';
  /** The connection string for pg, with the `schema` parameter removed (may hold a password: never log it). */
  readonly connectionString: string;
  /** The schema holding the store's and the mock server's tables (`?schema=` of the URL, default `public`). */
  readonly schema: string;
  /** The URL with its password replaced by `***`: what logs and messages show. */
  readonly display: string;
  /** The setting it was read from (`HOOKS_DATABASE_URL` or `--database-url`), for messages. */
  readonly setting: string;
  /** Serialises as `display`, so a logged configuration never shows the password. */
  toJSON(): string;
}

/** Where the apps keep their data. */
export type DatabaseLocation = SqliteLocation | PostgresLocation;

/** The default database: `./.data/hooks.sqlite` under the working directory. */
export const DEFAULT_SQLITE_PATH = '.data/hooks.sqlite';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Replaces the password of a database URL (and a `password` query parameter) with `***`. Text that is not
 * a URL is returned as `<unparseable database URL>` since it might hold anything.
 *
 * @example
 * redactDatabaseUrl('postgres://app:s3cret@db:5432/hooks'); // 'postgres://app:***@db:5432/hooks'
 */
export function redactDatabaseUrl(url: string): string {
  if (!URL.canParse(url)) return '<unparseable database URL>';
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  return parsed.toString();
}

function sqlite(filename: string, setting: string): SqliteLocation {
  const display = filename === ':memory:' ? 'sqlite::memory:' : `sqlite:${filename}`;
  return Object.freeze({ kind: 'sqlite', filename, display, setting, toJSON: () => display });
}

function sqlitePath(path: string, context: SettingContext): SqliteLocation {
  if (path === '' || path.includes('\0')) {
    throw settingError(context.name, 'must name a SQLite file, e.g. sqlite:./.data/hooks.sqlite');
  }
  if (path === ':memory:') return sqlite(path, context.name);
  return sqlite(isAbsolute(path) ? path : resolve(context.cwd, path), context.name);
}

function postgres(raw: string, context: SettingContext): PostgresLocation {
  if (!URL.canParse(raw)) {
    throw settingError(
      context.name,
      'is not a valid postgres:// URL (postgres://user:password@host:5432/db)',
    );
  }
  const url = new URL(raw);
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw settingError(
      context.name,
      'has a bad ?schema= parameter: use a plain lower-case identifier (a-z, 0-9, _), not starting with pg_',
    );
  }
  url.searchParams.delete('schema');
  const connectionString = url.toString();
  const display = redactDatabaseUrl(raw);
  const setting = context.name;
  return Object.freeze({
    kind: 'postgres',
    connectionString,
    schema,
    display,
    setting,
    toJSON: () => display,
  });
}

/**
 * Reads `HOOKS_DATABASE_URL`: absent means `./.data/hooks.sqlite` under `cwd`; `sqlite:<path>` (or
 * `sqlite://<path>`) or a plain path selects a SQLite file; `postgres://` or `postgresql://` selects
 * PostgreSQL (`?schema=name` picks the schema). Errors never echo the URL (it may hold a password).
 *
 * @example
 * parseDatabaseUrl('postgres://app:pw@db/hooks?schema=webhooks', { name: 'HOOKS_DATABASE_URL', cwd: '/srv' });
 */
export function parseDatabaseUrl(raw: string | undefined, context: SettingContext): DatabaseLocation {
  if (raw === undefined) return sqlitePath(DEFAULT_SQLITE_PATH, context);
  const scheme = URL_SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return postgres(raw, context);
  if (scheme === 'sqlite') {
    const rest = raw.slice('sqlite:'.length);
    return sqlitePath(rest.startsWith('//') ? rest.slice(2) : rest, context);
  }
  if (scheme !== undefined && scheme.length > 1 && raw.slice(scheme.length + 1).startsWith('//')) {
    throw settingError(
      context.name,
      `must be sqlite:<path>, a file path, or a postgres:// URL; got a ${JSON.stringify(`${scheme.slice(0, 20)}:`)} URL`,
    );
  }
  return sqlitePath(raw, context);
}
