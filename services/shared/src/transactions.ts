import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { HttpError } from './errors.js';
import { isPostgresUnavailable } from './postgres.js';

/** What repositories query through: the pool, or one client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/** Time kept for COMMIT and the answer before a request's deadline: a write needing it is given up instead. */
export const COMMIT_MARGIN_MS = 500;

declare module 'fastify' {
  interface FastifyRequest {
    /** `Date.now()` by which the request is answered (arrival + REQUEST_TIMEOUT_MS); after it the client has a 503. */
    answerBy: number;
  }
}

/** The 503 a request gets once its REQUEST_TIMEOUT_MS is spent (from the kit's timer or a write given up). */
export function timeUpError(answerWithinMs: number): HttpError {
  return new HttpError(503, `the request could not be completed within ${answerWithinMs} ms`);
}

/**
 * Runs `work` in a transaction that commits only while the request is still waiting for it, so
 * a client that was answered 503 never finds the write done afterwards (the one exception: a
 * COMMIT already on its way when the time ran out; an Idempotency-Key resolves that case).
 * - `statement_timeout` is set for the transaction to the time left: Postgres cancels its own
 *   statements (lock waits included) within the request's bound.
 * - A stalled or lost connection is dropped, not rolled back over the wire: Postgres aborts a
 *   transaction whose connection ends, even when it reads the statements only later (a frozen
 *   server resuming delivers BEGIN, the INSERT and then the end of the connection, never COMMIT).
 */
export async function commitInTime<T>(db: pg.Pool, request: Pick<FastifyRequest, 'answerBy'>, answerWithinMs: number, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const timeLeft = () => request.answerBy - COMMIT_MARGIN_MS - Date.now();
  if (timeLeft() <= 0) throw timeUpError(answerWithinMs);
  const client = await db.connect();
  let dropConnection: Error | undefined;
  // A checked-out client has no pool listener: without one, a connection lost mid-transaction
  // would be an uncaught 'error' event (pg-pool 3.14 index.js removes idleListener on checkout).
  // The query in flight fails with the same error, so noting it is enough.
  const onLost = (error: Error) => (dropConnection = error);
  client.on('error', onLost);
  try {
    await client.query('BEGIN');
    // set_config(..., true) is SET LOCAL with a bind parameter: it ends with the transaction.
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(Math.max(1, timeLeft()))]);
    const result = await work(client);
    if (timeLeft() <= 0) throw timeUpError(answerWithinMs);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (isPostgresUnavailable(error) || (error instanceof HttpError && error.statusCode === 503)) {
      dropConnection = error as Error;
    } else {
      await client.query('ROLLBACK').catch((rollbackFailed: Error) => (dropConnection = rollbackFailed));
    }
    throw error;
  } finally {
    // release(error) makes pg-pool close the connection instead of reusing it; a discarded
    // client keeps a listener, as its connection may still report an error while ending.
    if (dropConnection === undefined) client.off('error', onLost);
    client.release(dropConnection);
  }
}
