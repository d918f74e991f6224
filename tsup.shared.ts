import { defineConfig, type Options } from 'tsup';

/**
 * The build of every published @hooks package: ESM + CJS + .d.ts from `src/index.ts` for Node 20. No
 * `keepNames`: it wraps every closure created at run time in `__name(...)` (an `Object.defineProperty` per
 * closure, 1-2 us per delivered event); class names survive anyway (nothing is minified, and a test checks
 * that every error class reports its own name).
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
    ...overrides,
  });
}
