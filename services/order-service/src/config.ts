import { baseConfigShape, urlWithScheme, wholeNumber, z } from '@platform/service-kit';
import { serviceByName } from '@platform/contract';

export const SERVICE = serviceByName('order-service');

export const orderServiceConfigSchema = z.object({
  ...baseConfigShape(SERVICE.port),
  /** Base URL of user-service, e.g. `http://user-service:8000`. Required. */
  USER_SERVICE_URL: urlWithScheme('http', 'https'),
  /** Milliseconds to wait for user-service before answering 503. @default 2000 */
  USER_SERVICE_TIMEOUT_MS: wholeNumber(1, 120_000, 2_000),
});

export type OrderServiceConfig = z.output<typeof orderServiceConfigSchema>;
