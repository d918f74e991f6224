import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Files share one PostgreSQL server, real sockets and two CPU cores: run them one after the other.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
