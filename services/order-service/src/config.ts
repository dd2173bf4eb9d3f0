import { baseConfigShape, urlWithScheme, z } from '@platform/service-kit';
import { serviceByName } from '@platform/service-kit/catalog';

export const SERVICE = serviceByName('order-service');

export const orderServiceConfigSchema = z.object({
  ...baseConfigShape(SERVICE.port),
  /** Base URL of user-service, e.g. `http://user-service:8000`. Required. */
  USER_SERVICE_URL: urlWithScheme('http', 'https'),
  /** Milliseconds to wait for user-service before answering 503. @default 2000 */
  USER_SERVICE_TIMEOUT_MS: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, { error: 'must be a whole number of milliseconds from 1 to 999999' })
    .default('2000')
    .transform(Number),
});

export type OrderServiceConfig = z.output<typeof orderServiceConfigSchema>;
