import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { VERIFIER } from './fixtures.js';
import { streamBytes } from './receiver.js';

/** How the chaos receiver treats one request. */
export type ChaosAction =
  | 'ok'
  | 'error-500'
  | 'too-slow'
  | 'reset-mid-request'
  | 'reset-before-headers'
  | 'drip-short'
  | 'drip-too-long'
  | 'huge'
  | 'redirect';

/** Whether an action can deliver: its answer is a 2xx the engine reads in time, or it cannot. */
export const DELIVERS: Readonly<Record<ChaosAction, boolean>> = Object.freeze({
  ok: true,
  'error-500': false,
  'too-slow': false,
  'reset-mid-request': false,
  'reset-before-headers': false,
  'drip-short': true,
  'drip-too-long': false,
  huge: true,
  redirect: false,
});

/** The mix: ~30% 500s, ~10% slower than the timeout, resets, drips, 50 MB bodies, redirects, the rest 200. */
const WEIGHTS: readonly [ChaosAction, number][] = [
  ['error-500', 30],
  ['too-slow', 10],
  ['reset-mid-request', 6],
  ['reset-before-headers', 6],
  ['drip-short', 5],
  ['drip-too-long', 5],
  ['huge', 6],
  ['redirect', 6],
  ['ok', 26],
];

/** Options of `startChaosReceiver`. */
export interface ChaosOptions {
  /** Seed of the pseudo-random choices (print it on failure to replay a run). */
  seed: number;
  /** The engine's total request timeout: "too slow" waits well past it, a short drip ends well within it. */
  totalTimeoutMs: number;
  /** Size of a huge body (default 50 MB). */
  hugeBytes?: number;
}

/** One request as the chaos receiver saw it. */
export interface ChaosRequest {
  /** The `webhook-id` header. */
  id: string;
  /** What was done with it. */
  action: ChaosAction;
  /** The request's path (a followed redirect would ask for `/followed`). */
  path: string;
}

/** A misbehaving receiver on 127.0.0.1. */
export interface ChaosReceiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: readonly ChaosRequest[];
  /** Requests whose signature did not verify (the body arrived whole). */
  readonly badSignatures: number;
  /** Bytes written into huge bodies before the client went away. */
  readonly hugeBytesWritten: number;
  /** Requests per `webhook-id`, in order. */
  byId(): Map<string, ChaosRequest[]>;
  /** Destroys every connection and closes the server. */
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick(random: () => number): ChaosAction {
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [action, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return 'ok';
}

/**
 * Starts a receiver that answers each request with a seeded random misbehaviour (see `ChaosAction`).
 *
 * @example
 * const chaos = await startChaosReceiver({ seed: 42, totalTimeoutMs: 300 });
 * // ... deliver to chaos.url ...
 * await chaos.close();
 */
export async function startChaosReceiver(options: ChaosOptions): Promise<ChaosReceiver> {
  const random = seededRandom(options.seed);
  const hugeBytes = options.hugeBytes ?? 50 * 1024 * 1024;
  const requests: ChaosRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let badSignatures = 0;
  let hugeBytesWritten = 0;
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  function readBody(req: IncomingMessage, done: (body: string) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  }

  function checkSignature(req: IncomingMessage, body: string): void {
    try {
      VERIFIER.verify(body, req.headers as Record<string, string>);
    } catch {
      badSignatures += 1;
    }
  }

  function drip(res: ServerResponse, forMs: number): void {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const until = Date.now() + forMs;
    const tick = (): void => {
      if (res.destroyed) return;
      if (Date.now() >= until) {
        res.end('.');
        return;
      }
      res.write('.');
      later(Math.max(5, options.totalTimeoutMs / 20), tick);
    };
    tick();
  }

  function act(action: ChaosAction, fraction: number, req: IncomingMessage, res: ServerResponse): void {
    const timeout = options.totalTimeoutMs;
    switch (action) {
      case 'reset-mid-request':
        req.socket.destroy();
        return;
      case 'huge':
        // Answer before the body is read, as a server streaming a download would.
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        streamBytes(res, hugeBytes, (written) => {
          hugeBytesWritten += written;
        });
        return;
      default:
        readBody(req, (body) => {
          checkSignature(req, body);
          if (action === 'ok') res.writeHead(200).end('ok');
          else if (action === 'error-500') res.writeHead(500).end('chaos: internal error');
          else if (action === 'redirect') res.writeHead(307, { location: '/followed' }).end();
          else if (action === 'reset-before-headers') req.socket.destroy();
          else if (action === 'too-slow') later(timeout * 2 + 100, () => res.writeHead(200).end('late'));
          else if (action === 'drip-short') drip(res, timeout * (0.05 + fraction * 0.25));
          else drip(res, timeout * (2 + fraction));
        });
    }
  }

  const server = createServer((req, res) => {
    const header = req.headers['webhook-id'];
    const id = typeof header === 'string' ? header : '';
    // A followed redirect would come back here without being asked for: record it, answer 200.
    const action: ChaosAction = req.url === '/followed' ? 'ok' : pick(random);
    // Drawn on arrival with the action, so a seed gives the same sequence whatever the timing.
    const fraction = random();
    requests.push({ id, action, path: req.url ?? '' });
    act(action, fraction, req, res);
  });
  // Idle keep-alive sockets stay open for the whole run: a server-side idle close racing a new request
  // would lose an attempt on the wire that the receiver never saw.
  server.keepAliveTimeout = 120_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get badSignatures() {
      return badSignatures;
    },
    get hugeBytesWritten() {
      return hugeBytesWritten;
    },
    byId: () => {
      const map = new Map<string, ChaosRequest[]>();
      for (const request of requests) map.set(request.id, [...(map.get(request.id) ?? []), request]);
      return map;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
