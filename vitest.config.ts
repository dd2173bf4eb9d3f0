import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the services' TypeScript sources directly; no build step needed.
    alias: {
      '@platform/service-kit/catalog': fileURLToPath(new URL('./services/shared/src/catalog.ts', import.meta.url)),
      '@platform/service-kit': fileURLToPath(new URL('./services/shared/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts', 'services/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'cdktf.out/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Service tests start real processes against Postgres and Redis; keep the 2-core machines responsive.
    maxWorkers: 2,
  },
});
