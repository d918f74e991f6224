import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The smoke test runs a receiver and case processes on two CPU cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
