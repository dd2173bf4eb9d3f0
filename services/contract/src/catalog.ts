/**
 * The platform's services, declared once.
 *
 * Everything that names a service derives from this list: the service's own
 * `service.name` log field, its container and database in the platform stack,
 * the nginx route, the Filebeat input and the `logs-<service>-<environment>`
 * data stream. Adding a service here is what gives it all of those.
 */
export interface ServiceDeclaration {
  /** Service, container and data-stream name (see SERVICE_NAME_PATTERN); also the `service.name` log field. */
  readonly name: string;
  /** Port the service listens on inside its container. */
  readonly port: number;
  /** Public path prefix nginx routes to this service, e.g. `/users`. */
  readonly routePrefix: string;
  /** The service's own Postgres database; a role of the same name owns it. */
  readonly database: string;
  /** Services this one calls: environment variable -> service name (its base URL is injected). */
  readonly calls: Readonly<Record<string, string>>;
}

export const SERVICES = [
  {
    name: 'user-service',
    port: 8000,
    routePrefix: '/users',
    database: 'users',
    calls: {},
  },
  {
    name: 'order-service',
    port: 8000,
    routePrefix: '/orders',
    database: 'orders',
    calls: { USER_SERVICE_URL: 'user-service' },
  },
] as const satisfies readonly ServiceDeclaration[];

export type ServiceName = (typeof SERVICES)[number]['name'];

/** Looks a service up by name; throws naming the known services when it is not declared. */
export function serviceByName(name: string, services: readonly ServiceDeclaration[] = SERVICES): ServiceDeclaration {
  const found = services.find((s) => s.name === name);
  if (!found) {
    throw new Error(`Unknown service "${name}"; declared services: ${services.map((s) => s.name).join(', ')}`);
  }
  return found;
}
