import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookScheme, type SignatureSchemeName, WEBHOOK_ID_HEADER } from '@hooks/app-shared';

/** How the receiver answers one verified request: after `delayMs`, or never (`hang`). */
export type Reply = { delayMs?: number; status?: number; hang?: boolean };

/** Options of `startReceiver`. */
export interface ReceiverOptions {
  /** The secret the workers sign with. */
  secret: string;
  /** The scheme they sign with (default campaignflow, the apps' default). */
  scheme?: SignatureSchemeName;
  /** Decides each reply (default: 200 at once). `seen` counts this id's earlier requests. */
  reply?: (id: string, seen: number) => Reply;
}

/** A real HTTP receiver on 127.0.0.1 that verifies signatures and counts deliveries by `webhook-id`. */
export interface Receiver {
  /** Where to send. */
  readonly url: string;
  /** Verified requests per webhook-id. */
  readonly counts: Map<string, number>;
  /** Requests whose signature did not verify (or had no webhook-id). */
  readonly rejected: number;
  /** Verified requests in total. */
  readonly total: number;
  /** Requests whose reply has not been sent yet. */
  readonly open: number;
  /** Ids received more than once, with their counts. */
  duplicates(): [string, number][];
  /** Resolves when `predicate` holds (checked after each request), or rejects after `timeoutMs`. */
  waitFor(predicate: (receiver: Receiver) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Answers hanging requests (with 200) and stops listening. */
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts a receiver on port 0.
 *
 * @example
 * const receiver = await startReceiver({ secret });
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const scheme = createWebhookScheme(options.scheme ?? 'campaignflow', options.secret);
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  let rejected = 0;
  let total = 0;
  let open = 0;
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  const server = createServer(async (request, response) => {
    open += 1;
    const body = await readBody(request).catch(() => '');
    const id = request.headers[WEBHOOK_ID_HEADER];
    let verified = false;
    try {
      scheme.verify(body, request.headers as Record<string, string>);
      verified = typeof id === 'string' && id !== '';
    } catch {
      verified = false;
    }
    if (!verified || typeof id !== 'string') {
      rejected += 1;
      open -= 1;
      response.writeHead(401).end('bad signature');
      notify();
      return;
    }
    const seen = counts.get(id) ?? 0;
    counts.set(id, seen + 1);
    total += 1;
    const reply = options.reply?.(id, seen) ?? {};
    const finish = (): void => {
      hanging.delete(response);
      if (!response.writableEnded && !response.destroyed) response.writeHead(reply.status ?? 200).end('ok');
      open -= 1;
      notify();
    };
    response.on('close', () => {
      if (hanging.delete(response)) {
        open -= 1;
        notify();
      }
    });
    notify();
    if (reply.hang) hanging.add(response);
    else if (reply.delayMs) setTimeout(finish, reply.delayMs);
    else finish();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    counts,
    get rejected() {
      return rejected;
    },
    get total() {
      return total;
    },
    get open() {
      return open;
    },
    duplicates: () => [...counts].filter(([, count]) => count > 1),
    waitFor(predicate, timeoutMs = 30_000, what = 'the receiver condition') {
      if (predicate(receiver)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(receiver)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what} (received ${total}, unique ${counts.size})`,
            ),
          );
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) if (!response.writableEnded) response.writeHead(200).end('ok');
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}
