/**
 * Both services as production runs them, for the tracing tests and the bench: their builds
 * (`dist/main.js`, so `npm run build` first) started with the telemetry register module
 * (`node --import @platform/service-kit/telemetry/register`, the image's CMD), each a real
 * child process from its own directory, order-service calling user-service.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TELEMETRY_REGISTER_MODULE } from '@platform/service-kit';
import type { ServiceName } from '@platform/contract';
import { startServer, type ServerProcess } from './processes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Node flags of the image's CMD before the entry script. */
export const TELEMETRY_NODE_ARGS: readonly string[] = ['--import', TELEMETRY_REGISTER_MODULE];

export interface BuiltServiceOptions {
  /** The service's whole environment besides PORT/HOST (DATABASE_URL, REDIS_URL, OTEL_*, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** Label in error messages and bench output. @default the service name */
  readonly label?: string;
  /** Further Node flags after the register module's (e.g. `--cpu-prof`). @default none */
  readonly nodeArgs?: readonly string[];
  /** Root of the checkout whose build runs. @default this one */
  readonly root?: string;
}

/** Starts the built service with the register module and resolves once it answers its health probe. */
export function startBuiltService(name: ServiceName, options: BuiltServiceOptions): Promise<ServerProcess> {
  const dir = path.join(options.root ?? ROOT, 'services', name);
  const script = path.join(dir, 'dist', 'main.js');
  if (!existsSync(script)) throw new Error(`${path.relative(ROOT, script)} is missing: run \`npm run build\` first`);
  return startServer({ name: options.label ?? name, script, cwd: dir, env: options.env, nodeArgs: [...TELEMETRY_NODE_ARGS, ...(options.nodeArgs ?? [])] });
}

export interface BuiltPair {
  readonly users: ServerProcess;
  readonly orders: ServerProcess;
  /** SIGTERM to both (order-service first, it calls the other); resolves to their exit codes. */
  stop(): Promise<{ users: number | null; orders: number | null }>;
}

/** user-service and order-service (pointed at it), both with `common` plus their own variables. */
export async function startBuiltPair(
  common: Readonly<Record<string, string>>,
  own: Readonly<Record<ServiceName, Readonly<Record<string, string>>>>,
  label = '',
): Promise<BuiltPair> {
  const users = await startBuiltService('user-service', { env: { ...common, ...own['user-service'] }, label: `user-service${label}` });
  let orders: ServerProcess;
  try {
    orders = await startBuiltService('order-service', {
      env: { ...common, ...own['order-service'], USER_SERVICE_URL: users.baseUrl },
      label: `order-service${label}`,
    });
  } catch (error) {
    await users.stop();
    throw error;
  }
  return {
    users,
    orders,
    stop: async () => {
      const ordersCode = await orders.stop();
      return { orders: ordersCode, users: await users.stop() };
    },
  };
}
