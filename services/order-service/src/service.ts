import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@platform/service-kit';
import { SERVICE, orderServiceConfigSchema, type OrderServiceConfig } from './config.js';
import { orderRoutes } from './routes.js';

export { ORDER_LIST_LIMIT } from './routes.js';

/** order-service: orders in Postgres with exact money and idempotent creation; checks users with user-service. */
export const orderService: ServiceDefinition<OrderServiceConfig> = {
  name: SERVICE.name,
  configSchema: orderServiceConfigSchema,
  // Next to src/ and dist/ alike, so sources (tests) and the build find the same files.
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: orderRoutes,
};
