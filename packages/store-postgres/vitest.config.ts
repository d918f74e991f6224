import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/build-dist.ts'],
    // Test files share one PostgreSQL server and two CPU cores: run them one after the other.
    fileParallelism: false,
  },
});
