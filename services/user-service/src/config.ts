import { baseConfigShape, wholeNumber, z } from '@platform/service-kit';
import { serviceByName } from '@platform/service-kit/catalog';

export const SERVICE = serviceByName('user-service');

export const userServiceConfigSchema = z.object({
  ...baseConfigShape(SERVICE.port),
  /** Seconds a cached user lives in Redis. @default 300 */
  CACHE_TTL_SECONDS: wholeNumber(1, 604_800, 300),
});

export type UserServiceConfig = z.output<typeof userServiceConfigSchema>;
