/**
 * Scratch Postgres databases: every test (and every bench run) gets its own, so no run sees
 * another's rows. Postgres: TEST_POSTGRES_URL (an admin connection; BENCH_ADMIN_DATABASE_URL is
 * read too, as the bench did), default postgres://postgres@127.0.0.1:5432/postgres.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Superuser connection to the local Postgres (trust auth), as on the project's machines and in CI. */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database created for one test or run and dropped afterwards. */
export interface ScratchDatabase {
  readonly name: string;
  /** Connection URL of the new database. */
  readonly url: string;
  /** Drops the database, closing any connection still open to it (a killed service may hold some). */
  drop(): Promise<void>;
}

function urlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates a fresh, empty, uniquely named database `<prefix>_<random>`. */
export async function createScratchDatabase(prefix: string, adminUrl = POSTGRES_ADMIN_URL): Promise<ScratchDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`invalid database prefix "${prefix}"`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await queryOnce(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: urlFor(adminUrl, name),
    drop: async () => void (await queryOnce(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/** Runs one query against `url` on a short-lived connection. */
export async function queryOnce<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
