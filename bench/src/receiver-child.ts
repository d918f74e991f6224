// The benchmark's receiver, a child process so that it never shares an event loop with a sender: a bare
// node:http server that answers every POST with 200 "ok" and counts requests by their `webhook-id`.
// `/slow/<ms>` answers after <ms> milliseconds. Protocol (IPC): sends { type: 'ready', port } once listening;
// answers { type: 'stats' } with { type: 'stats', stats } and { type: 'reset' } with { type: 'reset' };
// exits on { type: 'exit' } or when the parent goes away.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceiverStats } from './receiver-process.js';

let seen = new Set<string>();
let requests = 0;
let duplicates = 0;
let missingId = 0;

function answer(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
}

function count(req: IncomingMessage): void {
  requests += 1;
  const id = req.headers['webhook-id'];
  if (typeof id !== 'string') {
    missingId += 1;
    return;
  }
  if (seen.has(id)) duplicates += 1;
  else seen.add(id);
}

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    count(req);
    const slow = /^\/slow\/(\d+)/.exec(req.url ?? '');
    if (slow === null) answer(res);
    else setTimeout(() => answer(res), Number(slow[1]));
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxRequestsPerSocket = 0;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stats') {
    const stats: ReceiverStats = { requests, unique: seen.size, duplicates, missingId };
    process.send?.({ type: 'stats', stats });
  } else if (message?.type === 'reset') {
    seen = new Set();
    requests = 0;
    duplicates = 0;
    missingId = 0;
    process.send?.({ type: 'reset' });
  } else if (message?.type === 'exit') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
