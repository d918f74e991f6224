import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HooksMetrics } from '@hooks/app-shared';
import type { WebhookStore } from '@hooks/core';

/** Options of `startMetricsServer`. */
export interface MetricsServerOptions {
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Address to listen on. */
  host: string;
  /** The registry served on `/metrics`. */
  metrics: HooksMetrics;
  /** The store `/readyz` pings. */
  store: Pick<WebhookStore, 'ping'>;
  /** Longest wait for the store's answer on `/readyz`, in milliseconds (default 2000). */
  readyTimeoutMs?: number;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

function pingWithin(store: Pick<WebhookStore, 'ping'>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([store.ping(), late]).finally(() => clearTimeout(timer));
}

/**
 * Serves `/healthz` (the process answers), `/readyz` (the store answers `ping()`) and `/metrics`
 * (Prometheus text) on a small `node:http` server.
 *
 * @example
 * const server = await startMetricsServer({ port: 9464, host: '127.0.0.1', metrics, store });
 * await server.close();
 */
export async function startMetricsServer(input: MetricsServerOptions): Promise<MetricsServer> {
  const options = Object.freeze({ readyTimeoutMs: 2000, ...input });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      pingWithin(options.store, options.readyTimeoutMs).then(
        () => send(200, 'ready\n'),
        () => send(503, 'store unreachable\n'),
      );
      return;
    }
    if (path === '/metrics') {
      options.metrics.text().then(
        (text) => send(200, text, options.metrics.contentType),
        () => send(500, 'metrics unavailable\n'),
      );
      return;
    }
    send(404, 'not found: try /healthz, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return Object.freeze({
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
