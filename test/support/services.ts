/**
 * Test support: real user-service and order-service on fresh Postgres databases and a private
 * Redis key prefix, for any test that needs the running services (API, log pipeline,
 * reliability, benchmarks).
 *
 *   const svc = await startServices();           // both services, in this process, on free ports
 *   await fetch(`${svc.orderUrl}/orders`, ...);
 *   const lines = await readLogLines(svc.logFiles['order-service']);
 *   await svc.stop();                            // closes both, drops the databases, deletes the Redis keys
 *
 * Postgres: TEST_POSTGRES_URL (an admin connection, default postgres://postgres@127.0.0.1:5432/postgres).
 * Redis: TEST_REDIS_URL (default redis://127.0.0.1:6379).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startService, type RunningService } from '@platform/service-kit';
import { orderService } from '../../services/order-service/src/service.js';
import { userService } from '../../services/user-service/src/service.js';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface TestDatabase {
  readonly name: string;
  /** Connection URL of the new database. */
  readonly url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates an empty database named `<prefix>_<random>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix no other test uses; `deleteRedisKeys` removes what was written under it. */
export function uniqueRedisPrefix(label = 'test'): string {
  return `${label}-${randomBytes(6).toString('hex')}:`;
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago): for "dependency down" tests. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The JSON log lines in a file, parsed (empty when the file does not exist yet). */
export async function readLogLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export type ServiceName = 'user-service' | 'order-service';

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
  const logDir = options.logDir ?? (await mkdtemp(join(tmpdir(), 'platform-logs-')));
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse().splice(0)) await cleanup().catch(() => undefined);
    if (ownLogDir) await rm(logDir, { recursive: true, force: true });
  };
  try {
    const start = async (name: ServiceName, definition: typeof userService | typeof orderService, extra: Record<string, string>) => {
      const db = await createTestDatabase(name.replace('-service', ''));
      cleanups.push(() => db.drop());
      const prefix = uniqueRedisPrefix(name);
      cleanups.push(() => deleteRedisKeys(prefix));
      const env = {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        REDIS_URL: REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        LOG_FILE: join(logDir, name, `${name}.log`),
        ...extra,
        ...options.env,
        ...options.serviceEnv?.[name],
      };
      const service = await startService(definition as typeof userService, env, { stdout: false, syncLogFile: true });
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

/** A service started as its own built process (`node services/<name>/dist/main.js`). */
export interface SpawnedService {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs the built service as a real process with exactly `env` (plus PATH). Requires
 * `npm run build`. Use for signals, exit codes and start-up failures.
 */
export function spawnService(name: ServiceName, env: Readonly<Record<string, string>>): SpawnedService {
  const main = join(REPO_ROOT, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers 200 (the service is up) or `attempts` run out. */
export async function waitForOk(url: string, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200`);
}

/** Reads an ECS field written either dotted (`"log.level"`) or nested (`{ log: { level } }`). */
export function ecsField(line: Record<string, unknown>, path: string): unknown {
  if (path in line) return line[path];
  const [head, ...rest] = path.split('.');
  const inner = line[head!];
  return rest.length && inner && typeof inner === 'object' ? ecsField(inner as Record<string, unknown>, rest.join('.')) : undefined;
}

/** What a line lacks to satisfy the log contract in DESIGN.md (empty when it complies). */
export function logContractViolations(line: Record<string, unknown>, service: ServiceName): string[] {
  const problems: string[] = [];
  const timestamp = ecsField(line, '@timestamp');
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) problems.push('@timestamp is not a date');
  if (!/^[a-z]+$/.test(String(ecsField(line, 'log.level')))) problems.push('log.level is not a lower-case word');
  if (typeof ecsField(line, 'message') !== 'string') problems.push('message is missing');
  if (typeof ecsField(line, 'ecs.version') !== 'string') problems.push('ecs.version is missing');
  if (ecsField(line, 'service.name') !== service) problems.push(`service.name is not ${service}`);
  if (typeof ecsField(line, 'service.environment') !== 'string') problems.push('service.environment is missing');
  return problems;
}

/**
 * A TCP forwarder to `target` on a free local port; `close()` shuts the port and cuts every
 * connection, which is how a test makes a dependency "unreachable" under a running service.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A JSON request; returns status, headers and the parsed body. */
export async function requestJson(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics): keep the text
  }
  return { status: response.status, headers: response.headers, body };
}
