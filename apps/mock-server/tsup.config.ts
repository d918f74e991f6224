import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // dist/cli.js is the `hooks-mock-server` bin (harmless at the top of the other files).
  banner: { js: '#!/usr/bin/env node' },
});
