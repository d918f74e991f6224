import { defineConfig } from 'tsup';

// An executable, not a library: one ESM file with a shebang, class names kept (errors report their own name).
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  keepNames: true,
  banner: { js: '#!/usr/bin/env node' },
});
