import { inspect } from 'node:util';
import {
  ConfigurationError,
  ConflictError,
  HooksError,
  InvalidInputError,
  StoreUnavailableError,
} from '@hooks/core';

/** Removes known secrets (database passwords) from a text. */
export type Scrubber = (text: string) => string;

/** Node socket error codes that mean the server could not be reached or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** SQLSTATEs (besides class 08, connection exception) that mean the server is going away or full. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53100', '53200']);

/** Messages pg uses for connections that broke or never opened. */
const BROKEN_CONNECTION =
  /connection terminated|connection timeout|timeout expired|connection ended|connection error|not queryable|cannot use a pool after calling end/i;

/** The passwords found in a connection string (raw and URL-decoded) and in pg client options. */
export function secretsOf(connectionString?: string, password?: unknown): string[] {
  const secrets = new Set<string>();
  if (typeof password === 'string' && password !== '') secrets.add(password);
  if (typeof connectionString === 'string') {
    try {
      const url = new URL(connectionString);
      if (url.password !== '') secrets.add(url.password);
      const query = url.searchParams.get('password');
      if (query) secrets.add(query);
    } catch {
      // Not a URL pg could read either; fall back to the userinfo shape below.
    }
    const userinfo = /^[a-z]+:\/\/[^:/@]*:([^@/]+)@/i.exec(connectionString)?.[1];
    if (userinfo) secrets.add(userinfo);
  }
  for (const secret of [...secrets]) {
    try {
      secrets.add(decodeURIComponent(secret));
    } catch {
      // A malformed escape: the raw form is scrubbed already.
    }
  }
  return [...secrets].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
}

/** A function that replaces each of `secrets` with `***`. */
export function createScrubber(secrets: readonly string[]): Scrubber {
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `error` means PostgreSQL could not be reached or the connection (or server) went away. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || /^08/.test(code))) {
    return true;
  }
  if (error instanceof AggregateError && error.errors.some(isConnectionError)) return true;
  return error instanceof Error && BROKEN_CONNECTION.test(error.message);
}

/** `error` itself, or a copy with every secret removed when its text (cause chain included) holds one. */
export function scrubCause(error: unknown, scrub: Scrubber): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const text = inspect(error, { depth: 6 });
  if (scrub(text) === text) return error;
  const source = error as Error & { code?: unknown };
  const copy = new Error(scrub(String(source.message ?? 'error')));
  copy.name = String(source.name ?? 'Error');
  copy.stack = scrub(String(source.stack ?? copy.stack));
  if (source.code !== undefined) Object.assign(copy, { code: source.code });
  return copy;
}

/**
 * Maps anything a pg or kysely call threw to a `HooksError`: connection failures become
 * `StoreUnavailableError`, unique violations `ConflictError`, values PostgreSQL cannot store
 * `InvalidInputError`. Messages and causes never carry a password.
 */
export function toStoreError(error: unknown, scrub: Scrubber): HooksError {
  if (HooksError.isInstance(error)) return error;
  const cause = scrubCause(error, scrub);
  const code = codeOf(error);
  const message = scrub(error instanceof Error ? error.message : String(error));
  if (isConnectionError(error)) {
    return new StoreUnavailableError(`PostgreSQL is unavailable: ${message || code || 'connection failed'}`, {
      cause,
      details: { code },
    });
  }
  if (code === '28P01' || code === '28000' || code === '3D000') {
    return new ConfigurationError(`PostgreSQL refused the connection: ${message}`, {
      cause,
      details: { code },
    });
  }
  if (code === '23505') {
    return new ConflictError(`The row conflicts with an existing one: ${message}`, {
      cause,
      details: { code },
    });
  }
  if (code === '22P05' || code === '22021' || code === '22P02' || code === '22008' || code === '54000') {
    return new InvalidInputError(`PostgreSQL cannot store a value: ${message}`, {
      cause,
      details: { code, field: 'event' },
    });
  }
  return new StoreUnavailableError(`PostgreSQL query failed${code ? ` (${code})` : ''}: ${message}`, {
    cause,
    details: { code },
  });
}
