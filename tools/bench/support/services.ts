import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceByName } from '../../../services/shared/src/catalog.js';
import { startServer, type ServerProcess } from '../processes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES_TSCONFIG = fileURLToPath(new URL('./tsconfig.sources.json', import.meta.url));

export interface ServiceLaunch {
  /** `DATABASE_URL`: the service's own database (often through a FaultProxy). */
  readonly databaseUrl: string;
  /** `REDIS_URL`. */
  readonly redisUrl: string;
  /** order-service only: `USER_SERVICE_URL`. */
  readonly userServiceUrl?: string;
  /** Further variables, e.g. `LOG_LEVEL`, `LOG_FILE` (default: `LOG_LEVEL=warn`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Path polled until 200 before the launch resolves (default `/healthz`). */
  readonly readyPath?: string;
}

/**
 * Starts a service from its TypeScript sources in a real child process (as `npm start` runs
 * the build), listening on a free 127.0.0.1 port. No build step needed: tsx resolves the
 * shared package to its sources, as vitest.config.ts does.
 */
export function startService(serviceName: 'user-service' | 'order-service', launch: ServiceLaunch): Promise<ServerProcess> {
  const service = serviceByName(serviceName);
  const env: Record<string, string> = {
    TSX_TSCONFIG_PATH: SOURCES_TSCONFIG,
    DATABASE_URL: launch.databaseUrl,
    REDIS_URL: launch.redisUrl,
    SERVICE_ENVIRONMENT: 'dev',
    LOG_LEVEL: 'warn',
    ...(launch.userServiceUrl ? { USER_SERVICE_URL: launch.userServiceUrl } : {}),
    ...launch.env,
  };
  return startServer({
    name: service.name,
    script: path.join(ROOT, 'services', service.name, 'src', 'main.ts'),
    cwd: ROOT,
    env,
    readyPath: launch.readyPath,
  });
}
