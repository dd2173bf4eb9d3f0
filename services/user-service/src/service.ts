import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@platform/service-kit';
import { SERVICE, userServiceConfigSchema, type UserServiceConfig } from './config.js';
import { userRoutes } from './routes.js';

/** user-service: users in Postgres, read through a Redis cache. */
export const userService: ServiceDefinition<UserServiceConfig> = {
  name: SERVICE.name,
  configSchema: userServiceConfigSchema,
  // Next to src/ and dist/ alike, so sources (tests) and the build find the same files.
  migrationsDir: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: userRoutes,
};
