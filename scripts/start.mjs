#!/usr/bin/env node
// `pnpm start`: runs the mock server (without its embedded worker) and one hooks-worker on the same database
// (the embedded SQLite default unless HOOKS_DATABASE_URL says otherwise), with one signing secret for both,
// prefixes their output, prints where the dashboard is, and stops both on Ctrl-C (a second Ctrl-C forces).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APPS = [
  { name: 'mock-server', script: 'apps/mock-server/dist/cli.js', args: [] },
  { name: 'worker', script: 'apps/worker/dist/cli.js', args: ['run'] },
];
const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app', 'v']);
const width = Math.max(...APPS.map((app) => app.name.length));

/** One output line for a person: pino JSON lines become `HH:MM:SS LEVEL message key=value`. */
function humanLine(line) {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line);
    if (typeof entry.msg !== 'string') return line;
    const time = new Date(entry.time ?? Date.now()).toTimeString().slice(0, 8);
    const fields = Object.entries(entry)
      .filter(([key]) => !HIDDEN.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    return [time, LEVELS[entry.level] ?? 'INFO', entry.msg, ...fields].join(' ');
  } catch {
    return line;
  }
}

function prefixed(name, stream, target, onLine) {
  const prefix = `[${name.padEnd(width)}] `;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      target.write(`${prefix}${humanLine(line)}\n`);
      onLine?.(line);
    }
  });
  stream.on('end', () => {
    if (pending !== '') target.write(`${prefix}${humanLine(pending)}\n`);
  });
}

async function sharedEnv() {
  const env = { ...process.env, HOOKS_EMBEDDED_WORKER: 'off' };
  if (!env.HOOKS_WEBHOOK_SECRET) {
    // Both processes must sign with the same secret, so it is generated once here (the apps' own generator).
    const { generateWebhookSecret } = await import(join(root, 'apps/shared/dist/index.js'));
    const scheme = env.HOOKS_SIGNATURE_SCHEME || 'campaignflow';
    env.HOOKS_WEBHOOK_SECRET = generateWebhookSecret(
      scheme === 'standard-webhooks' ? scheme : 'campaignflow',
    );
    process.stdout.write(
      `generated HOOKS_WEBHOOK_SECRET for this run (receivers need it): ${env.HOOKS_WEBHOOK_SECRET}\n`,
    );
  }
  return env;
}

async function main() {
  for (const app of APPS) {
    if (!existsSync(join(root, app.script))) {
      process.stderr.write(`start: ${app.script} is missing; run \`pnpm build\` first (pnpm start does)\n`);
      process.exit(1);
    }
  }
  const env = await sharedEnv();
  let stopping = 0;
  let failed = false;
  const children = APPS.map((app) => {
    // Own process group: a terminal's Ctrl-C reaches only this script, which forwards it exactly once.
    const child = spawn(process.execPath, [join(root, app.script), ...app.args], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onLine = (line) => {
      const dashboard = /dashboard:\s+(\S+)/.exec(line);
      if (dashboard) process.stdout.write(`\n  Dashboard: ${dashboard[1]}   (Ctrl-C stops both)\n\n`);
    };
    prefixed(app.name, child.stdout, process.stdout, app.name === 'mock-server' ? onLine : undefined);
    prefixed(app.name, child.stderr, process.stderr);
    const exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        // After a second Ctrl-C the apps exit at once (the worker with 130): that is what was asked for.
        if (code !== 0 && stopping < 2) failed = true;
        process.stdout.write(`[${app.name.padEnd(width)}] exited (${signal ?? `code ${code}`})\n`);
        if (stopping === 0) stop('SIGTERM');
        resolve();
      });
      child.on('error', (error) => {
        failed = true;
        process.stderr.write(`start: could not start ${app.name}: ${error.message}\n`);
        resolve();
      });
    });
    return { app, child, exited };
  });

  let lastSignalAt = 0;
  function stop(signal) {
    // One Ctrl-C can arrive twice (from the terminal and from `pnpm`, which forwards it): a repeat within a
    // second is the same request; a later one forces.
    const now = Date.now();
    if (stopping > 0 && now - lastSignalAt < 1000) return;
    lastSignalAt = now;
    stopping += 1;
    for (const { child } of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  }
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  await Promise.all(children.map((entry) => entry.exited));
  process.exit(failed ? 1 : stopping > 1 ? 130 : 0);
}

main().catch((error) => {
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
