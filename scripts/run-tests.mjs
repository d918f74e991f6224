#!/usr/bin/env node
// Runs every package's tests through turbo, streams the output, and ends with one plain summary line
// ("Tests: N passed, N failed") added up from each package's vitest summary. Exits with turbo's code.
import { spawn } from 'node:child_process';

const args = ['exec', 'turbo', 'run', 'test', '--concurrency=1', ...process.argv.slice(2)];
const child = spawn('pnpm', args, { stdio: ['inherit', 'pipe', 'pipe'], env: process.env });
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
let passed = 0;
let failed = 0;
let skipped = 0;
let pending = '';

function scan(chunk) {
  pending += chunk.toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) count(line);
}

function count(line) {
  const plain = line.replace(ansi, '');
  const match = /\bTests\s+(.*)\(\d+\)\s*$/.exec(plain);
  if (!match) return;
  for (const [, n, kind] of match[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (kind === 'passed') passed += Number(n);
    else if (kind === 'failed') failed += Number(n);
    else skipped += Number(n);
  }
}

child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  scan(chunk);
});
child.stderr.on('data', (chunk) => process.stderr.write(chunk));
child.on('close', (code) => {
  if (pending) count(pending);
  const tail = skipped > 0 ? `, ${skipped} skipped` : '';
  process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${tail}\n`);
  process.exit(code ?? 1);
});
