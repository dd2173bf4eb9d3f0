import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from 'pino';

/** Pool settings that keep a struggling database from hanging requests. */
export interface PostgresPoolOptions {
  /** @default 10 */
  readonly max?: number;
  /** Milliseconds to wait for a connection. @default 2000 */
  readonly connectionTimeoutMillis?: number;
  /** Milliseconds a statement may run before the server cancels it. @default 5000 */
  readonly statementTimeoutMillis?: number;
  /** CA file (PEM) the server certificate is verified against when the URL asks for TLS (see `withTrustedCa`). @default none */
  readonly tlsCaFile?: string;
}

/** True when a connection URL asks node-postgres for TLS: an `sslmode` other than `disable`, or `ssl=true`. */
export function requestsTls(databaseUrl: string): boolean {
  const params = new URL(databaseUrl).searchParams;
  const mode = params.get('sslmode');
  if (mode !== null) return mode !== 'disable';
  return params.get('ssl') === 'true' || params.get('ssl') === '1';
}

/**
 * The URL with `sslrootcert=<caFile>` added when it asks for TLS and names no root
 * certificate of its own: node-postgres then verifies the server against that CA
 * (`sslmode=verify-full` also checks the host name). A URL without TLS is returned as
 * it is. A parameter, not an `ssl` pool option: parameters in the URL override that option.
 */
export function withTrustedCa(databaseUrl: string, caFile: string | undefined): string {
  if (caFile === undefined || !requestsTls(databaseUrl)) return databaseUrl;
  const url = new URL(databaseUrl);
  if (url.searchParams.has('sslrootcert')) return databaseUrl;
  url.searchParams.set('sslrootcert', caFile);
  return url.toString();
}

export function createPostgresPool(databaseUrl: string, logger: Logger, options: PostgresPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withTrustedCa(databaseUrl, options.tlsCaFile),
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2_000,
    statement_timeout: options.statementTimeoutMillis ?? 5_000,
    // The server-side statement_timeout cannot fire when the server is unreachable (dead host,
    // network partition: the connection stays open, no answer comes). The client gives up a
    // half a second later; pg-pool then discards that connection.
    query_timeout: (options.statementTimeoutMillis ?? 5_000) + 500,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => logger.warn({ err }, 'idle postgres connection failed'));
  return pool;
}

/** Postgres unique_violation: the signal for "already exists" (email taken, idempotency key reused). */
export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | undefined;
  return e?.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

/**
 * Applies the pending SQL migrations in `dir` (node-pg-migrate files with `-- Up Migration`
 * / `-- Down Migration` sections). node-pg-migrate holds a Postgres advisory lock while it
 * runs; replicas starting together wait for it and then find nothing left to do.
 */
export async function runMigrations(
  databaseUrl: string,
  dir: string,
  logger: Logger,
  options: Pick<PostgresPoolOptions, 'tlsCaFile'> = {},
): Promise<string[]> {
  const log = logger.child({ 'event.action': 'migration' });
  const applied = await runner({
    databaseUrl: withTrustedCa(databaseUrl, options.tlsCaFile),
    dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: (msg: string) => log.debug(msg),
      info: (msg: string) => log.debug(msg),
      warn: (msg: string) => log.warn(msg),
      error: (msg: string) => log.error(msg),
    },
  });
  const names = applied.map((m) => m.name);
  log.info({ 'labels.migrations': names.join(',') }, names.length ? `applied ${names.length} migration(s)` : 'schema up to date');
  return names;
}

/** Errors that mean "Postgres cannot be reached or is not accepting work right now" (a 503, not a bug). */
// 57014 (query_canceled): statement_timeout ended a statement that did not finish within the request's bound.
const UNAVAILABLE_CODES = new Set(['57014', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

export function isPostgresUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Query read timeout/i.test(e.message ?? '');
}
