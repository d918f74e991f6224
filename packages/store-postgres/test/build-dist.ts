import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** vitest global setup: builds dist when it is missing or older than src (the multi-process test imports it). */
export default function setup(): void {
  const newestSource = Math.max(
    ...readdirSync(join(root, 'src')).map((name) => mtime(join(root, 'src', name))),
  );
  if (mtime(join(root, 'dist', 'index.js')) >= newestSource) return;
  const result = spawnSync('pnpm', ['exec', 'tsup', '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('building dist for the multi-process test failed');
}
