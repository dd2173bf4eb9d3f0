import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the services' TypeScript sources directly; no build step needed.
    alias: {
      '@platform/contract': fileURLToPath(new URL('./services/contract/src/index.ts', import.meta.url)),
      '@platform/service-kit': fileURLToPath(new URL('./services/shared/src/index.ts', import.meta.url)),
      '@platform/user-service/service': fileURLToPath(new URL('./services/user-service/src/service.ts', import.meta.url)),
      '@platform/order-service/service': fileURLToPath(new URL('./services/order-service/src/service.ts', import.meta.url)),
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
