import { fastify, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { BaseConfig } from './config.js';
import { loadConfig } from './config.js';
import { errorBody, installErrorHandling, installPreRoutingErrors } from './errors.js';
import { Deadlines, type DeadlineHandle } from './deadlines.js';
import { drainConnections, installShutdown } from './shutdown.js';
import { timeUpError } from './transactions.js';
import { installJsonParser, schemaErrorMessage } from './validation.js';
import { installHealth, type ReadinessCheck } from './health.js';
import { createServiceLogger, type Logger, type ServiceLoggerOptions } from './logger.js';
import { installMetrics } from './metrics.js';
import { createPostgresPool, runMigrations } from './postgres.js';
import { redactUrl } from './redact.js';
import { createRedisClient, redisReady } from './redis.js';
import { EcsLogController, installRequestFields } from './request-logging.js';
import { requestIdOf } from './request-id.js';
import { REQUEST_ID_HEADER } from '@platform/contract';

/** Where a request keeps its answer deadline (declared on every request, so they keep one shape). */
const ANSWER_DEADLINE = Symbol('answerDeadline');
type WithDeadline = { [ANSWER_DEADLINE]?: DeadlineHandle | null };

/** What a service's routes get to work with. */
export interface ServiceContext<C extends BaseConfig> {
  readonly config: C;
  readonly logger: Logger;
  readonly db: pg.Pool;
  readonly redis: Redis;
}

/** A service: its catalog name, configuration schema, migrations and routes. */
export interface ServiceDefinition<C extends BaseConfig> {
  /** Catalog name; becomes `service.name` in the logs. */
  readonly name: string;
  /** Validates the environment (extend `baseConfigShape`). */
  readonly configSchema: z.ZodType<C>;
  /** Directory of node-pg-migrate SQL migrations. */
  readonly migrationsDir: string;
  /** Registers the service's routes. */
  readonly routes: (app: FastifyInstance, context: ServiceContext<C>) => void | Promise<void>;
  /** Readiness checks besides Postgres and Redis. @default none */
  readonly extraReadinessChecks?: (context: ServiceContext<C>) => Record<string, ReadinessCheck>;
}

export interface StartOptions {
  /** Where the stdout copy of the logs goes (`false`: none). @default process stdout */
  readonly stdout?: ServiceLoggerOptions['stdout'];
  /** Write LOG_FILE synchronously (tests read it right after a request). @default false */
  readonly syncLogFile?: boolean;
}

/** A started service. */
export interface RunningService {
  readonly app: FastifyInstance;
  /** Base URL it listens on, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly config: BaseConfig;
  readonly logger: Logger;
  /**
   * Drains (up to SHUTDOWN_DRAIN_MS: requests are still served, each answer ends its keep-alive
   * connection), then stops accepting, finishes in-flight requests, closes pools and the log file.
   * Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Builds the Fastify app of a service: ECS request logging with `http.request.id`,
 * `x-request-id` echo, JSON errors, `/healthz`, `/readyz`, `/metrics`, then its routes.
 * Does not listen; `startService` does.
 */
export async function buildApp<C extends BaseConfig>(
  definition: ServiceDefinition<C>,
  context: ServiceContext<C>,
): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    logController: new EcsLogController(),
    genReqId: requestIdOf,
    requestIdHeader: false,
    // Strict input: a string is not silently turned into a number (or a boolean into 1).
    // Unknown properties are refused (400 naming them), never silently stripped.
    ajv: { customOptions: { coerceTypes: false, allErrors: false, removeAdditional: false } },
    schemaErrorFormatter: (errors, dataVar) => new Error(schemaErrorMessage(errors, dataVar)),
    forceCloseConnections: 'idle',
    // Slow clients are bounded: headers within HEADERS_TIMEOUT_MS, the whole request within
    // RECEIVE_TIMEOUT_MS (Node answers 408 through clientErrorHandler), checked every 500 ms.
    requestTimeout: Math.max(context.config.RECEIVE_TIMEOUT_MS, context.config.HEADERS_TIMEOUT_MS),
    http: { headersTimeout: context.config.HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 500 } as never,
    ...installPreRoutingErrors(context.logger),
    bodyLimit: 64 * 1024,
    // Fastify's own closing 503 skips the hooks, so it would carry no x-request-id; ours below does.
    return503OnClosing: false,
  });
  // The app owns its clients: they end once the last request is answered (onClose runs after
  // the server has closed, fastify v5 lib/hooks.js onClose), pool after Redis.
  app.addHook('onClose', async () => {
    await context.redis.quit().catch(() => context.redis.disconnect());
    await context.db.end();
  });
  installRequestFields(app);
  // SIGTERM: a drain (answers end their keep-alive connection), then close (503s); see shutdown.ts.
  const shutdown = installShutdown(app);
  const answerWithinMs = context.config.REQUEST_TIMEOUT_MS;
  // The answer bound: whatever a dependency does, the client hears 503 within REQUEST_TIMEOUT_MS.
  const deadlines = new Deadlines<FastifyReply>(answerWithinMs, (reply) => {
    // Answered meanwhile, or the client has gone (a closed response): nothing to do.
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    reply.log.warn({ 'event.action': 'request_timeout' }, `no answer within ${answerWithinMs} ms`);
    void reply.code(503).send(errorBody(503, timeUpError(answerWithinMs).message));
  });
  app.addHook('onClose', (_app, done) => {
    deadlines.close();
    done();
  });
  app.decorateRequest('answerBy', 0);
  app.decorateRequest(ANSWER_DEADLINE, null);
  // Callback-style hooks: no promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (shutdown.isRefusing()) {
      reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'the service is shutting down' });
      return;
    }
    request.answerBy = Date.now() + answerWithinMs;
    (request as WithDeadline)[ANSWER_DEADLINE] = deadlines.add(reply);
    done();
  });
  // Answered (or failed while answering): the deadline ends. A client that left early may not
  // get here; its deadline then ends when due, without an answer (see above).
  app.addHook('onResponse', (request, _reply, done) => {
    const deadline = (request as WithDeadline)[ANSWER_DEADLINE];
    if (deadline) deadlines.remove(deadline);
    done();
  });
  installErrorHandling(app);
  installJsonParser(app);
  installMetrics(app, definition.name);
  installHealth(app, {
    postgres: () => context.db.query('SELECT 1'),
    redis: () => context.redis.ping(),
    ...definition.extraReadinessChecks?.(context),
  });
  await app.register(async (scope) => definition.routes(scope, context));
  await app.ready();
  return app;
}

/**
 * Starts a service from environment variables: validates them (ConfigError naming the bad
 * one), opens the log, runs migrations, connects Postgres and Redis, listens.
 */
export async function startService<C extends BaseConfig>(
  definition: ServiceDefinition<C>,
  env: Readonly<Record<string, string | undefined>>,
  options: StartOptions = {},
): Promise<RunningService> {
  const config = loadConfig(definition.configSchema, env);
  const log = await createServiceLogger({
    service: definition.name,
    environment: config.SERVICE_ENVIRONMENT,
    level: config.LOG_LEVEL,
    file: config.LOG_FILE,
    stdout: options.stdout,
    stdoutLevel: config.LOG_STDOUT_LEVEL,
    syncFile: options.syncLogFile,
  });
  const logger = log.logger;
  const resources: Array<() => Promise<unknown>> = [() => log.close()];
  const closeResources = async () => {
    for (const close of resources.reverse().splice(0)) await close().catch(() => undefined);
  };
  try {
    logger.info({ 'labels.database': redactUrl(config.DATABASE_URL) }, 'starting');
    const tls = { tlsCaFile: config.TLS_CA_FILE };
    await runMigrations(config.DATABASE_URL, definition.migrationsDir, logger, tls);
    // Statements end (server-side statement_timeout; client-side a little later) before the answer bound.
    const statementTimeoutMillis = Math.max(200, config.REQUEST_TIMEOUT_MS - 1_500);
    const db = createPostgresPool(config.DATABASE_URL, logger, { ...tls, statementTimeoutMillis, connectionTimeoutMillis: Math.min(2_000, statementTimeoutMillis) });
    resources.push(() => db.end());
    const redis = createRedisClient(config.REDIS_URL, logger, config.REDIS_KEY_PREFIX ?? `${definition.name}:`, {
      ...tls,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    });
    resources.push(() => redis.quit().catch(() => redis.disconnect()));
    if (!(await redisReady(redis, 2_000))) logger.warn('redis is not answering; starting without the cache');
    const app = await buildApp(definition, { config, logger, db, redis });
    // From here the app owns the pool and the client: its onClose hooks end them after the
    // last request (the way @fastify/postgres and @fastify/redis do), so they leave the list.
    resources.splice(resources.length - 2, 2, () => app.close());
    const address = await app.listen({ port: config.PORT, host: config.HOST });
    const url = localUrl(address, config.HOST);
    let closing: Promise<void> | undefined;
    const close = async () => {
      await drainConnections(app, config.SHUTDOWN_DRAIN_MS);
      await closeResources();
    };
    return { app, url, config, logger, close: () => (closing ??= close()) };
  } catch (error) {
    logger.error({ err: error }, 'start-up failed');
    await closeResources();
    throw error;
  }
}

/** The listen address as a URL a local client can use (wildcard hosts become 127.0.0.1). */
function localUrl(address: string, host: string): string {
  const url = new URL(address);
  if (host === '0.0.0.0' || host === '::') url.hostname = '127.0.0.1';
  return url.origin;
}
