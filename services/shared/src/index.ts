/**
 * @platform/service-kit: what every platform service shares (configuration, ECS logging,
 * server bootstrap, request ids, errors, health, metrics, Postgres, Redis, shutdown).
 * The service catalog and the other shared names live in `@platform/contract` (services/contract).
 */
export { ConfigError, baseConfigShape, baseConfigSchema, loadConfig, pemCertificateFile, urlWithScheme, wholeNumber, type BaseConfig } from './config.js';
export { HttpError, errorBody, errorRef, errorResponseSchema } from './errors.js';
export { READINESS_TIMEOUT_MS, type ReadinessCheck } from './health.js';
export { LOG_FILE_KEEP, LOG_FILE_SIZE, createServiceLogger, type Logger, type ServiceLogger, type ServiceLoggerOptions } from './logger.js';
export { runMain } from './main.js';
export { DEFAULT_SAMPLE_RATIO, TELEMETRY_REGISTER_MODULE, TRACE_FLUSH_TIMEOUT_MS, TracingConfigError, packageServiceName, tracingSettings, type TracingSettings } from './telemetry/settings.js';
export { createPostgresPool, isUniqueViolation, requestsTls, runMigrations, UNIQUE_VIOLATION, withTrustedCa, type PostgresPoolOptions } from './postgres.js';
export { redactFields, redactUrl, scrubSecrets } from './redact.js';
export { createRedisClient, type RedisClientOptions } from './redis.js';
export { isSaneRequestId, requestIdOf } from './request-id.js';
export { recordEvent } from './request-logging.js';
export { buildApp, startService, type RunningService, type ServiceContext, type ServiceDefinition, type StartOptions } from './service.js';
export type { Redis } from 'ioredis';
export type { Pool, PoolClient } from 'pg';
export { JsonCache } from './cache.js';
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyConflictError,
  IdempotentTable,
  idempotencyHeadersSchema,
  idempotencyKeyOf,
  requestDigest,
  type Created,
} from './idempotency.js';
export { COMMIT_MARGIN_MS, commitInTime, timeUpError, type Queryable } from './transactions.js';
export { TrackedLocalCache, type LocalCacheOptions } from './tracked-cache.js';
export { MAX_ROW_ID, POSITIVE_INTEGER_PATTERN, idParamsSchema, toRowId } from './ids.js';
export { SAFE_TEXT_PATTERN, VISIBLE_TEXT_PATTERN, inexactNumber } from './validation.js';
export { z } from 'zod';
export type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
