import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import type { Queryable } from './transactions.js';

/** Request header a client sets to make a POST safe to retry. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Response header of an idempotent POST: `true` when the answer is the one an earlier request produced. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/** Route `headers` schema: an optional key of 1-255 visible ASCII characters. */
export const idempotencyHeadersSchema = {
  type: 'object',
  properties: { [IDEMPOTENCY_KEY_HEADER]: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' } },
} as const;

/** The request's Idempotency-Key (validated by `idempotencyHeadersSchema`), if it has one. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  return typeof key === 'string' ? key : undefined;
}

/** The Idempotency-Key was first used with a different request: a 422, as for orders. */
export class IdempotencyConflictError extends HttpError {
  constructor(key: string) {
    super(422, `Idempotency-Key "${key}" was already used with a different request`);
    this.name = 'IdempotencyConflictError';
  }
}

/**
 * Digest of a request's meaning, from its already normalised fields (e.g. `12.5` and
 * `"12.50"` give the same total), so a retry matches however its JSON was spelled.
 */
export function requestDigest(fields: readonly (string | number)[]): string {
  return createHash('sha256').update(fields.join('\n')).digest('hex');
}

/** What an idempotent create returns: the row, and whether an earlier request had created it. */
export interface Created<Row> {
  readonly row: Row;
  readonly replayed: boolean;
}

/**
 * A table whose rows may carry the client's retry key: columns `idempotency_key` (UNIQUE) and
 * `request_digest`. The unique constraint, not a read-then-write check, makes concurrent
 * retries create one row. Table and column names come from code, never from a request.
 */
export class IdempotentTable<Row extends { request_digest: string | null }> {
  constructor(
    private readonly table: string,
    /** The columns read back, e.g. `id, email, name, created_at, request_digest`. */
    private readonly returning: string,
  ) {}

  /** The row `key` already produced, if any; IdempotencyConflictError when it came with another digest. */
  async findByKey(db: Queryable, key: string, digest: string): Promise<Row | undefined> {
    const { rows } = await db.query<Row>(`SELECT ${this.returning} FROM ${this.table} WHERE idempotency_key = $1`, [key]);
    const row = rows[0];
    if (row && row.request_digest !== digest) throw new IdempotencyConflictError(key);
    return row;
  }

  /**
   * Inserts `values` into `columns` once per key. A concurrent request with the same key waits
   * for the first one's commit, inserts nothing and reads the first one's row.
   */
  async insertOnce(db: Queryable, key: string, digest: string, columns: readonly string[], values: readonly unknown[]): Promise<Created<Row>> {
    const allColumns = [...columns, 'idempotency_key', 'request_digest'];
    const { rows } = await db.query<Row>(
      `INSERT INTO ${this.table} (${allColumns.join(', ')}) VALUES (${allColumns.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${this.returning}`,
      [...values, key, digest],
    );
    if (rows[0]) return { row: rows[0], replayed: false };
    const existing = await this.findByKey(db, key, digest);
    if (!existing) throw new Error(`${this.table}: the row of an Idempotency-Key vanished after a conflict`);
    return { row: existing, replayed: true };
  }
}
