import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Streams `bytes` filler bytes into `res` (with back-pressure), stopping when the client goes away;
 * `counted` gets each chunk's size as it is written.
 */
export function streamBytes(res: ServerResponse, bytes: number, counted: (written: number) => void): void {
  const chunk = Buffer.alloc(16 * 1024, 'x');
  let left = bytes;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      left -= chunk.length;
      counted(chunk.length);
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** What the receiver does with one request. */
export type ReceiverAction =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number; status?: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'stall-body'; status?: number }
  | { kind: 'huge'; bytes: number; status?: number };

/** One request as received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** `webhook-id` header, if any. */
  id: string | undefined;
  /** The client's port (the same port twice means a reused keep-alive connection). */
  remotePort: number | undefined;
  at: number;
}

/** A scripted HTTP receiver on 127.0.0.1 that records every request. */
export interface Receiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** Queues actions for the next requests, in order (then the default applies). */
  script(...actions: ReceiverAction[]): void;
  /** The action for requests with no scripted action (default 200), or a function of the request. */
  setDefault(action: ReceiverAction | ((request: ReceivedRequest) => ReceiverAction)): void;
  /** Deliveries counted per `webhook-id`. */
  countById(): Map<string, number>;
  /** Resolves once at least `count` requests arrived (rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Requests currently held open (`hang`, `stall-body`). */
  readonly hanging: number;
  /** Bytes written by `huge` responses before the client went away. */
  readonly hugeBytesWritten: number;
  /** Answers every held request with 200 and ends hanging for new ones (default becomes 200). */
  release(): void;
  /** Destroys every connection and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1, port 0.
 *
 * @example
 * const receiver = await startReceiver();
 * receiver.script({ kind: 'status', status: 500 }, { kind: 'status', status: 200 });
 */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const scripted: ReceiverAction[] = [];
  let fallback: ReceiverAction | ((request: ReceivedRequest) => ReceiverAction) = {
    kind: 'status',
    status: 200,
  };
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let hugeBytesWritten = 0;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headerId = req.headers['webhook-id'];
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        id: typeof headerId === 'string' ? headerId : undefined,
        remotePort: req.socket.remotePort,
        at: Date.now(),
      };
      requests.push(request);
      for (const waiter of [...waiters]) {
        if (requests.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      const action = scripted.shift() ?? (typeof fallback === 'function' ? fallback(request) : fallback);
      act(action, req, res);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function act(action: ReceiverAction, req: IncomingMessage, res: ServerResponse): void {
    switch (action.kind) {
      case 'status':
        res.writeHead(action.status, { 'content-type': 'text/plain', ...action.headers });
        res.end(action.body ?? 'ok');
        return;
      case 'delay':
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(action.status ?? 200);
          res.end('late');
        }, action.ms);
        return;
      case 'hang':
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall-body':
        held.add(res);
        res.on('close', () => held.delete(res));
        res.writeHead(action.status ?? 200, { 'content-type': 'text/plain' });
        res.write('partial');
        return;
      case 'huge': {
        res.writeHead(action.status ?? 200, { 'content-type': 'text/plain' });
        streamBytes(res, action.bytes, (written) => {
          hugeBytesWritten += written;
        });
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver has no port');

  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    requests,
    script: (...actions) => {
      scripted.push(...actions);
    },
    setDefault: (action) => {
      fallback = action;
    },
    countById: () => {
      const counts = new Map<string, number>();
      for (const request of requests) {
        if (request.id !== undefined) counts.set(request.id, (counts.get(request.id) ?? 0) + 1);
      }
      return counts;
    },
    waitForRequests: (count, timeoutMs = 10_000) => {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`receiver got ${requests.length} of ${count} requests`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    get hanging() {
      return held.size;
    },
    get hugeBytesWritten() {
      return hugeBytesWritten;
    },
    release: () => {
      fallback = { kind: 'status', status: 200 };
      for (const res of held) {
        if (!res.headersSent) res.writeHead(200);
        res.end('released');
      }
      held.clear();
    },
    close: async () => {
      for (const res of held) res.destroy();
      held.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
