/**
 * Running the services for tests and the bench, each on its own fresh database and Redis key
 * prefix (see freshStores):
 * - startServices: both services in this process (Fastify `inject`, log lines on disk by the
 *   time a response arrives), for API and log tests;
 * - startService: one service as a ready child process from its TypeScript sources (see
 *   stack.ts for both, optionally behind fault proxies), for reliability tests;
 * - spawnService: the built service as a bare process, watched until it exits, for start-up
 *   failures, signals and exit codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceByName, type ServiceName } from '@platform/contract';
import { orderService } from '@platform/order-service/service';
import { startService as startInProcess, type RunningService } from '@platform/service-kit';
import { userService } from '@platform/user-service/service';
import { freePort, startServer, type ServerProcess } from './processes.js';
import { createScratchDatabase, type ScratchDatabase } from './databases.js';
import { deleteRedisKeys, REDIS_URL, uniqueRedisPrefix } from './redis.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES_TSCONFIG = fileURLToPath(new URL('./tsconfig.sources.json', import.meta.url));

export type { ServiceName };

/** Teardown steps, run last-first by whoever owns the list. */
export type Cleanups = Array<() => Promise<unknown>>;

/** Runs `cleanups` last-first (ignoring failures, so every step gets its turn) and empties the list. */
export async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const cleanup of cleanups.reverse().splice(0)) await cleanup().catch(() => undefined);
}

/** A service's own data stores: a fresh database and a Redis key prefix nobody else uses. */
export interface ServiceStores {
  readonly database: ScratchDatabase;
  readonly redisKeyPrefix: string;
}

/** Creates a database `<databasePrefix>_<random>` and a key prefix `<redisLabel>-<random>:`; `cleanups` gets their removal. */
export async function freshStores(databasePrefix: string, redisLabel: string, cleanups: Cleanups): Promise<ServiceStores> {
  const database = await createScratchDatabase(databasePrefix);
  cleanups.push(() => database.drop());
  const redisKeyPrefix = uniqueRedisPrefix(redisLabel);
  cleanups.push(() => deleteRedisKeys(redisKeyPrefix));
  return { database, redisKeyPrefix };
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago): for "dependency down" tests. */
export const closedPort: () => Promise<number> = freePort;

export interface StartServicesOptions {
  /** Directory for the log files (`<logDir>/<service>/<service>.log`). @default a new temp dir, removed by stop() */
  readonly logDir?: string;
  /** Extra environment for both services (e.g. LOG_LEVEL, SERVICE_ENVIRONMENT). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment per service; wins over `env` (e.g. a REDIS_URL pointing at a closed port). */
  readonly serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
}

export interface StartedServices {
  readonly userUrl: string;
  readonly orderUrl: string;
  readonly logDir: string;
  /** LOG_FILE of each service: always the file currently written (a symlink to the rotated `<name>.<n>.log`). */
  readonly logFiles: Readonly<Record<ServiceName, string>>;
  /** Connection URLs of the services' databases. */
  readonly databaseUrls: Readonly<Record<ServiceName, string>>;
  /** Prefix under which the services keep their Redis keys. */
  readonly redisKeyPrefixes: Readonly<Record<ServiceName, string>>;
  /** The in-process services (their Fastify apps support `inject`). */
  readonly services: Readonly<Record<ServiceName, RunningService>>;
  /** Stops both services, drops the databases, deletes the Redis keys and a temp log dir. */
  stop(): Promise<void>;
}

/**
 * Starts user-service and order-service in this process on free ports, each on its own fresh
 * database, with LOG_FILE set (written synchronously, so lines are on disk when a response
 * arrives) and no stdout copy.
 */
export async function startServices(options: StartServicesOptions = {}): Promise<StartedServices> {
  const ownLogDir = options.logDir === undefined;
  const logDir = options.logDir ?? (await mkdtemp(path.join(tmpdir(), 'platform-logs-')));
  const cleanups: Cleanups = [];
  const stop = async () => {
    await runCleanups(cleanups);
    if (ownLogDir) await rm(logDir, { recursive: true, force: true });
  };
  try {
    const start = async (name: ServiceName, definition: typeof userService | typeof orderService, extra: Record<string, string>) => {
      const stores = await freshStores(name.replace('-service', ''), name, cleanups);
      const env = {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: stores.database.url,
        REDIS_URL: REDIS_URL,
        REDIS_KEY_PREFIX: stores.redisKeyPrefix,
        LOG_FILE: path.join(logDir, name, `${name}.log`),
        ...extra,
        ...options.env,
        ...options.serviceEnv?.[name],
      };
      const service = await startInProcess(definition as typeof userService, env, { stdout: false, syncLogFile: true });
      cleanups.push(() => service.close());
      return { service, env };
    };
    const user = await start('user-service', userService, {});
    const order = await start('order-service', orderService, { USER_SERVICE_URL: user.service.url });
    return {
      userUrl: user.service.url,
      orderUrl: order.service.url,
      logDir,
      logFiles: { 'user-service': user.env.LOG_FILE, 'order-service': order.env.LOG_FILE },
      databaseUrls: { 'user-service': user.env.DATABASE_URL, 'order-service': order.env.DATABASE_URL },
      redisKeyPrefixes: { 'user-service': user.env.REDIS_KEY_PREFIX, 'order-service': order.env.REDIS_KEY_PREFIX },
      services: { 'user-service': user.service, 'order-service': order.service },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ServiceLaunch {
  /** `DATABASE_URL`: the service's own database (often through a FaultProxy). */
  readonly databaseUrl: string;
  /** `REDIS_URL`. */
  readonly redisUrl: string;
  /** order-service only: `USER_SERVICE_URL`. */
  readonly userServiceUrl?: string;
  /** Further variables, e.g. `LOG_LEVEL`, `LOG_FILE`, `REDIS_KEY_PREFIX` (default: `LOG_LEVEL=warn`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Path polled until 200 before the launch resolves (default HEALTH_PATH, `/healthz`). */
  readonly readyPath?: string;
}

/**
 * Starts a service from its TypeScript sources in a real child process (as `npm start` runs
 * the build), listening on a free 127.0.0.1 port, and resolves once it is ready. No build step
 * needed: tsx resolves the contract and shared packages to their sources, as vitest.config.ts does.
 */
export function startService(serviceName: ServiceName, launch: ServiceLaunch): Promise<ServerProcess> {
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

/** A service started as its own built process (`node services/<name>/dist/main.js`). */
export interface SpawnedService {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs the built service as a real process with exactly `env` (plus PATH), without waiting for
 * it to be ready. Requires `npm run build`. Use for signals, exit codes and start-up failures.
 */
export function spawnService(name: ServiceName, env: Readonly<Record<string, string>>): SpawnedService {
  const main = path.join(ROOT, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
