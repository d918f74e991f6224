import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds `dist/cli.js` before the tests when it is missing or older than a source file, and the mock
 * server's CLI (which the root `pnpm start` script runs beside the worker) when it is missing.
 */
export default function setup(): void {
  const sources = Math.max(newest(join(root, 'src')), builtAt(join(root, 'tsup.config.ts')));
  if (builtAt(join(root, 'dist', 'cli.js')) < sources) {
    execFileSync('pnpm', ['exec', 'tsup'], { cwd: root, stdio: 'inherit' });
  }
  const mockServer = join(root, '..', 'mock-server');
  if (builtAt(join(mockServer, 'dist', 'cli.js')) === 0) {
    execFileSync('pnpm', ['exec', 'tsup'], { cwd: mockServer, stdio: 'inherit' });
  }
}
