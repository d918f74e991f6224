import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestSource(): number {
  return Math.max(...readdirSync(join(root, 'src')).map((name) => statSync(join(root, 'src', name)).mtimeMs));
}

function distTime(): number {
  try {
    return statSync(join(root, 'dist', 'index.js')).mtimeMs;
  } catch {
    return 0;
  }
}

/** vitest global setup: builds dist when it is missing or older than src (child-process tests import it). */
export default function setup(): void {
  if (distTime() >= newestSource()) return;
  const result = spawnSync('pnpm', ['exec', 'tsup', '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building dist for the multi-process tests failed');
}
