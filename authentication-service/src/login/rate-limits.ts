import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from '@go-micro/toolkit';
import { postgresFailure } from '../postgres/postgres-errors.js';

/**
 * The table every count of logins and sign-ups lives in, in Postgres so every
 * replica sees the same counts (rate-limiter-flexible's Postgres store, one row
 * per key), made by migrations/0003_login_limits.sql. Its name is from when it
 * held logins only: kept, so an upgrade finds it.
 */
const TABLE = 'login_limits';

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
