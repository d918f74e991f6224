import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'mock-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

describe('hooks-mock-server (dist/cli.js)', () => {
  it('prints the settings with --help', () => {
    const result = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8', env: baseEnv({}) });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: hooks-mock-server');
    for (const name of [
      'HOOKS_DATABASE_URL',
      'PORT',
      'HOST',
      'HOOKS_EMBEDDED_WORKER',
      'HOOKS_RETRY_SCHEDULE',
    ]) {
      expect(result.stdout).toContain(name);
    }
  });

  it('exits 1 with one line naming a bad setting, never echoing a secret', () => {
    const result = spawnSync(process.execPath, [cli], {
      encoding: 'utf8',
      env: baseEnv({ HOOKS_MAX_ATTEMPTS: '-3', HOOKS_WEBHOOK_SECRET: 'super-secret-value' }),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'hooks-mock-server: HOOKS_MAX_ATTEMPTS must be an integer from 1 to 100, got "-3"\n',
    );
    const secret = spawnSync(process.execPath, [cli, '--signature-scheme=standard-webhooks'], {
      encoding: 'utf8',
      env: baseEnv({ HOOKS_WEBHOOK_SECRET: 'super-secret-value' }),
    });
    expect(secret.status).toBe(1);
    expect(secret.stderr).toContain('HOOKS_WEBHOOK_SECRET is not usable with the standard-webhooks scheme');
    expect(secret.stderr + secret.stdout).not.toContain('super-secret-value');
  });

  it('listens, prints the API, the dashboard and the generated secret once, and stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child: ChildProcess = spawn(process.execPath, [cli, '--port=0'], {
        env: baseEnv({
          HOOKS_DATABASE_URL: `sqlite:${join(dir, `${signal}.sqlite`)}`,
          HOOKS_LOG_LEVEL: 'warn',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const address = await eventually(() => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match === null) throw new Error(`no address yet: ${stdout}`);
        return match[1]!;
      }, 15_000);
      expect(stdout).toContain(`dashboard:  ${address}/_mock/`);
      expect(stdout).toContain(`API:        ${address}/api/v2`);
      const secrets = stdout.match(/secret: {5}([0-9a-f]{64}) {2}\(generated/g) ?? [];
      expect(secrets).toHaveLength(1);
      const health = await fetch(`${address}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', store: 'sqlite' });
      child.kill(signal);
      expect(await exited).toBe(0);
    }
  }, 40_000);
});
