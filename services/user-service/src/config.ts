import { baseConfigShape, wholeNumber, z } from '@platform/service-kit';
import { serviceByName } from '@platform/contract';

export const SERVICE = serviceByName('user-service');

export const userServiceConfigSchema = z.object({
  ...baseConfigShape(SERVICE.port),
  /** Seconds a cached user lives in Redis. @default 300 */
  CACHE_TTL_SECONDS: wholeNumber(1, 604_800, 300),
  /** Users kept in the in-process cache (kept coherent by Redis client tracking); 0 turns it off. @default 10000 */
  LOCAL_CACHE_MAX_ENTRIES: wholeNumber(0, 1_000_000, 10_000),
  /** Bytes of cached user JSON the in-process cache may hold. @default 16 MiB */
  LOCAL_CACHE_MAX_BYTES: wholeNumber(1_024, 1_073_741_824, 16_777_216),
});

export type UserServiceConfig = z.output<typeof userServiceConfigSchema>;
