// The benchmark's receiver, run as a child process so it does not share the engine's event loop:
// answers every POST with 200 and counts requests. Reports its port once listening; answers
// { type: 'count' } with { type: 'count', count, cpuUs } (its own CPU time so far) and exits on { type: 'exit' }.
import { createServer } from 'node:http';

let count = 0;
const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    count += 1;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: server.address().port });
});
process.on('message', (message) => {
  if (message?.type === 'count') {
    const cpu = process.cpuUsage();
    process.send?.({ type: 'count', count, cpuUs: cpu.user + cpu.system });
  }
  if (message?.type === 'exit') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
