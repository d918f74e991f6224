import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dropSchema,
  postgresUnavailable,
  TEST_DATABASE_URL,
  uniqueSchema,
  withSchema,
} from '@hooks/app-shared/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe } from 'vitest';
import {
  type BuildServerOptions,
  buildServer,
  loadMockServerConfig,
  type MockServerConfig,
} from '../../src/index.js';

/** Why PostgreSQL tests are skipped (never under CI: there an unreachable database throws). */
export const POSTGRES_UNAVAILABLE = await postgresUnavailable();

/** A database for one `describeEachDatabase` block: a SQLite file in a temp dir, or a fresh Postgres schema. */
export interface TestDatabase {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** `HOOKS_DATABASE_URL` for this block. */
  readonly url: string;
}

/** Declares `body` once per database: SQLite always, PostgreSQL when reachable (a visible skip otherwise). */
export function describeEachDatabase(title: string, body: (database: TestDatabase) => void): void {
  describe(`${title} [SQLite]`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-server-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    body({ kind: 'sqlite', url: `sqlite:${join(dir, 'mock.sqlite')}` });
  });
  const skipped = POSTGRES_UNAVAILABLE === undefined ? '' : ` (skipped: ${POSTGRES_UNAVAILABLE})`;
  describe.skipIf(POSTGRES_UNAVAILABLE !== undefined)(`${title} [PostgreSQL]${skipped}`, () => {
    const schema = uniqueSchema('mock');
    afterAll(() => dropSchema(schema));
    body({ kind: 'postgres', url: withSchema(TEST_DATABASE_URL, schema) });
  });
}

/** What a test gets back from an HTTP call. */
export interface HttpResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
  body: any;
  text: string;
}

/** A mock server listening on 127.0.0.1 with an ephemeral port, and ways to call it. */
export interface RunningServer {
  app: FastifyInstance;
  config: MockServerConfig;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Any HTTP call (JSON bodies are sent as JSON; strings as they are). */
  call(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResult>;
  /** A call with a Bearer token obtained once from the token endpoint. */
  api(method: string, path: string, body?: unknown): Promise<HttpResult>;
  /** Closes the server (stops the dispatcher, closes the database). */
  close(): Promise<void>;
}

/** Default engine tuning for tests: short polls so retries are quick. */
export const FAST_ENGINE: BuildServerOptions['dispatcher'] = {
  scheduler: { pollIntervalMs: 25 },
  timeouts: { connectMs: 2000, totalMs: 4000 },
};

/** Starts a server on `database` with extra environment settings and build options. */
export async function startServer(
  database: TestDatabase,
  env: Record<string, string> = {},
  options: BuildServerOptions = {},
): Promise<RunningServer> {
  const { config } = loadMockServerConfig({
    argv: [],
    env: { HOOKS_DATABASE_URL: database.url, HOOKS_WEBHOOK_SECRET: 'test-secret-for-the-mock', ...env },
  });
  const app = await buildServer(config, { logger: false, dispatcher: FAST_ENGINE, ...options });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const call: RunningServer['call'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (typeof init.body === 'string') body = init.body;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (HTML, metrics)
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  let token: string | undefined;
  const api: RunningServer['api'] = async (method, path, body) => {
    if (token === undefined) {
      const issued = await call('POST', '/oauth2/v1/token', {
        body: 'grant_type=client_credentials',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('client:secret').toString('base64')}`,
        },
      });
      token = issued.body.access_token as string;
    }
    return call(method, path, { body, headers: { authorization: `Bearer ${token}` } });
  };
  return { app, config, url, call, api, close: () => app.close() };
}
