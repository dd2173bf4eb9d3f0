import { baseConfigShape, z } from '@platform/service-kit';
import { serviceByName } from '@platform/service-kit/catalog';

export const SERVICE = serviceByName('user-service');

export const userServiceConfigSchema = z.object({
  ...baseConfigShape(SERVICE.port),
  /** Seconds a cached user lives in Redis. @default 300 */
  CACHE_TTL_SECONDS: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, { error: 'must be a whole number of seconds from 1 to 999999' })
    .default('300')
    .transform(Number),
});

export type UserServiceConfig = z.output<typeof userServiceConfigSchema>;
