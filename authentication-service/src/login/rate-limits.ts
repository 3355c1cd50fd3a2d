import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@go-micro/toolkit';
import { postgresFailure } from '../postgres/postgres-errors.js';

/**
 * The table every count of logins and sign-ups lives in, in Postgres so every
 * replica sees the same counts (rate-limiter-flexible's Postgres store, one row
 * per key). Its name is from when it held logins only: kept, so an upgrade finds it.
 */
const TABLE = 'login_limits';
// Another constant than the users table's: the two set-ups do not wait on each other.
const TABLE_LOCK_ID = 4_242_002;

/** Creates the table if it is missing; safe from every replica at once, like the users table. */
export async function createLimitsTable(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [TABLE_LOCK_ID]);
    // The library's own table, with `key` as text: its varchar(255) would not hold every prefixed email.
    await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (key text PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** A count of `points` per `seconds`, under `prefix` in the shared table. */
export const limiter = (pool: Pool, prefix: string, points: number, seconds: number): RateLimiterPostgres =>
  new RateLimiterPostgres({ storeClient: pool, tableName: TABLE, tableCreated: true, keyPrefix: prefix, points, duration: seconds });

/** Runs a limiter call: its refusal is a 429 "too many <what>" with Retry-After; any other failure is Postgres's. */
export async function limited<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooManyRequests(what, err.msBeforeNext / 1000);
    throw postgresFailure(err);
  }
}
