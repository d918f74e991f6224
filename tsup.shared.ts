import { defineConfig, type Options } from 'tsup';

/**
 * The build of every published @hooks package: ESM + CJS + .d.ts from `src/index.ts` for Node 20, with class
 * names kept (error classes report their own name).
 *
 * @example
 * // packages/<name>/tsup.config.ts
 * export default packageBuild({ external: ['vitest'] });
 */
export function packageBuild(overrides: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    keepNames: true,
    ...overrides,
  });
}
