import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The files share one PostgreSQL server, real sockets, child processes and two CPU cores.
    fileParallelism: false,
    globalSetup: ['./test/helpers/build-cli.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
