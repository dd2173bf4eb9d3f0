import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'cdktf.out/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Service tests start real processes against Postgres and Redis; keep the 2-core machines responsive.
    maxWorkers: 2,
  },
});
